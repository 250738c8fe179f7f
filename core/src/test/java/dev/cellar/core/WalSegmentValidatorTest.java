package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The validator against synthetic segments: valid ones of every shape, then one broken rule at a time. */
class WalSegmentValidatorTest {

    private static final WalSegmentSize MB1 = WalSegmentSize.of(1 << 20);
    private static final WalSegmentName NAME = WalSegmentName.parse("000000020000000000000003", MB1);
    private static final long SYSID = 0x8000_0000_0000_0001L; // above Long.MAX_VALUE: printed unsigned
    private static final int PG17 = 0xD116;
    private static final int PAGE = 8192;

    private static SyntheticSegment segment() {
        return new SyntheticSegment(NAME, SYSID, PG17);
    }

    private static WalSegmentValidator validator() {
        return WalSegmentValidator.forSegment(NAME, SYSID);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(WalSegmentValidator validator, byte[] bytes) {
        return assertThatThrownBy(() -> validator.validate(bytes))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID));
    }

    private static String at(int offset) {
        return "WAL segment 000000020000000000000003, page at offset %d (LSN %s): "
                .formatted(offset, NAME.startLsn().plus(offset));
    }

    private static String partialAt(int offset) {
        return "WAL segment 000000020000000000000003.partial, page at offset %d (LSN %s): "
                .formatted(offset, NAME.startLsn().plus(offset));
    }

    private static int info(SyntheticSegment s, int pageOffset) {
        return Short.toUnsignedInt(s.page(pageOffset).getShort(2));
    }

    @Nested
    class ValidSegments {

        @Test
        void aSegmentFullOfRecordsToItsLastByte() {
            byte[] bytes = segment().fillToEnd().bytes();
            assertThatCode(() -> validator().validate(bytes)).doesNotThrowAnyException();
            assertThatCode(() -> validator().expectingMajor(17).validate(bytes)).doesNotThrowAnyException();
            assertThatCode(() -> validator().allowingPartial().validate(bytes)).doesNotThrowAnyException();
        }

        @Test
        void aSegmentEndedByXlogSwitchWithZeroPagesAfterIt() {
            SyntheticSegment s = segment().records(11).switchRecord();
            assertThat(s.position()).isLessThan(NAME.size().bytes() / 2);
            assertThatCode(() -> validator().validate(s.bytes())).doesNotThrowAnyException();
        }

        @Test
        void aSegmentStartingInTheMiddleOfARecordFromThePreviousSegment() {
            byte[] bytes = segment().continuedRecord(20_000).records(4).fillToEnd().bytes();
            assertThatCode(() -> validator().validate(bytes)).doesNotThrowAnyException();
        }

        @Test
        void aSegmentInsideOneRecordLongerThanTheSegment() {
            SyntheticSegment s = segment().continuedRecord(3 << 20);
            assertThat(s.page(PAGE).getInt(16)).isEqualTo((3 << 20) - (PAGE - 40));
            assertThatCode(() -> validator().validate(s.bytes())).doesNotThrowAnyException();
        }

        @Test
        void anXlogSwitchRecordWhoseHeaderIsSplitAcrossPages() {
            SyntheticSegment s = segment().record(PAGE - 40 - 8); // the next record starts 8 bytes before the page end
            assertThat(s.position()).isEqualTo(PAGE - 8);
            s.switchRecord();
            assertThat(info(s, PAGE) & WalPageHeader.XLP_FIRST_IS_CONTRECORD).isNotZero();
            assertThat(s.page(PAGE).getInt(16)).isEqualTo(16);
            assertThatCode(() -> validator().validate(s.bytes())).doesNotThrowAnyException();
        }

        @Test
        void aRecordEndingExactlyAtThePageEnd() {
            SyntheticSegment s = segment().record(PAGE - 40).records(3).fillToEnd();
            assertThat(info(s, PAGE) & WalPageHeader.XLP_FIRST_IS_CONTRECORD).isZero();
            assertThatCode(() -> validator().validate(s.bytes())).doesNotThrowAnyException();
        }

        @Test
        void theFirstSegmentOfANewTimelineBeginsWithPagesOfItsParent() {
            byte[] bytes = segment().pageTimeline(1).records(3).pageTimeline(2).records(9).switchRecord().bytes();
            assertThat(WalPageHeader.parse(bytes, 0).timeline()).isEqualTo(1);
            assertThatCode(() -> validator().validate(bytes)).doesNotThrowAnyException();
        }

        @Test
        void aRecordWhoseContinuationWasOverwritten() {
            SyntheticSegment s = segment().records(2).abandonedRecord(3 * PAGE).records(6).switchRecord();
            boolean found = false;
            for (int offset = PAGE; offset < 4 * PAGE; offset += PAGE) {
                found |= (info(s, offset) & WalPageHeader.XLP_FIRST_IS_OVERWRITE_CONTRECORD) != 0;
            }
            assertThat(found).isTrue();
            assertThatCode(() -> validator().validate(s.bytes())).doesNotThrowAnyException();
        }

        @Test
        void otherBlockSizes() {
            SyntheticSegment s = new SyntheticSegment(NAME, SYSID, PG17, 16384).records(20).fillToEnd();
            assertThatCode(() -> validator().withBlockSize(16384).validate(s.bytes())).doesNotThrowAnyException();
            assertInvalid(validator(), s.bytes()).hasMessage(at(0) + "xlp_xlog_blcksz 16384, expected 8192");
        }

        @Test
        void aPartialSegmentWithZerosAfterItsData() {
            SyntheticSegment s = segment().records(5);
            assertThatCode(() -> validator().allowingPartial().validate(s.bytes())).doesNotThrowAnyException();
            byte[] prefix = Arrays.copyOf(s.bytes(), s.position() + 100);
            assertThatCode(() -> validator().allowingPartial().validate(prefix)).doesNotThrowAnyException();
            byte[] cutInsideARecord = Arrays.copyOf(s.bytes(), 3 * PAGE + 100);
            assertThatCode(() -> validator().allowingPartial().validate(cutInsideARecord)).doesNotThrowAnyException();
        }

        @Test
        void aPartialSegmentWhoseDataEndsInsideARecordAtAPageBoundary() {
            byte[] bytes = segment().records(2).record(6 * PAGE).bytes();
            Arrays.fill(bytes, 4 * PAGE, bytes.length, (byte) 0);
            assertThatCode(() -> validator().allowingPartial().validate(bytes)).doesNotThrowAnyException();
        }

        @Test
        void aPartialSegmentWithNothingWrittenYet() {
            assertThatCode(() -> validator().allowingPartial().validate(new byte[1 << 20])).doesNotThrowAnyException();
            assertThatCode(() -> validator().allowingPartial().validate(new byte[0])).doesNotThrowAnyException();
        }
    }

    @Nested
    class Size {

        @Test
        void aCompleteSegmentHasExactlyTheSegmentSize() {
            byte[] bytes = segment().fillToEnd().bytes();
            assertInvalid(validator(), Arrays.copyOf(bytes, bytes.length - 1))
                    .hasMessage("WAL segment 000000020000000000000003: 1048575 bytes, expected 1048576");
            assertInvalid(validator(), Arrays.copyOf(bytes, bytes.length + PAGE))
                    .hasMessage("WAL segment 000000020000000000000003: 1056768 bytes, expected 1048576");
        }

        @Test
        void aPartialSegmentIsAtMostTheSegmentSize() {
            assertInvalid(validator().allowingPartial(), new byte[(1 << 20) + 1])
                    .hasMessage("WAL segment 000000020000000000000003.partial: 1048577 bytes, expected at most 1048576");
        }
    }

    @Nested
    class FirstPageHeader {

        @Test
        void zeroFilledFirstPageOfACompleteSegment() {
            assertInvalid(validator(), new byte[1 << 20])
                    .hasMessage(at(0) + "the page is zero-filled, but a segment starts with a long page header");
        }

        @Test
        void unknownMagic() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(0).putShort(0, (short) 0x1234);
            assertInvalid(validator(), s.bytes()).hasMessage(at(0)
                    + "xlp_magic 0x1234 is not that of a supported PostgreSQL version (15: 0xD110, 16: 0xD113, 17: 0xD116, 18: 0xD118)");
        }

        @Test
        void magicOfAnotherMajorThanExpected() {
            byte[] bytes = new SyntheticSegment(NAME, SYSID, 0xD113).fillToEnd().bytes();
            assertThatCode(() -> validator().validate(bytes)).doesNotThrowAnyException();
            assertInvalid(validator().expectingMajor(17), bytes)
                    .hasMessage(at(0) + "xlp_magic 0xD113 (PostgreSQL 16), expected 0xD116 (PostgreSQL 17)");
        }

        @Test
        void infoBitsOutsideTheDefinedFlags() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(0).putShort(2, (short) 0x0016);
            assertInvalid(validator(), s.bytes()).hasMessage(at(0) + "xlp_info 0x0016 has bits outside the defined 0x000F");
        }

        @Test
        void missingLongHeader() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(0).putShort(2, (short) WalPageHeader.XLP_BKP_REMOVABLE);
            assertInvalid(validator(), s.bytes())
                    .hasMessage(at(0) + "xlp_info 0x0004 lacks XLP_LONG_HEADER (0x0002), which the first page of a segment has");
        }

        @Test
        void pageAddressOfAnotherSegment() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(0).putLong(8, 0x200000L);
            assertInvalid(validator(), s.bytes()).hasMessage(at(0) + "xlp_pageaddr 0/200000, expected 0/300000");
        }

        @Test
        void systemIdentifierOfAnotherCluster() {
            byte[] bytes = segment().fillToEnd().bytes();
            assertInvalid(WalSegmentValidator.forSegment(NAME, 7_000_000_000_000_000_001L), bytes).hasMessage(at(0)
                    + "xlp_sysid 9223372036854775809, expected 7000000000000000001: the segment is from another cluster");
        }

        @Test
        void segmentSizeOfAnotherCluster() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(0).putInt(32, 16 << 20);
            assertInvalid(validator(), s.bytes()).hasMessage(at(0) + "xlp_seg_size 16777216, expected 1048576");
        }

        @Test
        void blockSizeOfAnotherBuild() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(0).putInt(36, 4096);
            assertInvalid(validator(), s.bytes()).hasMessage(at(0) + "xlp_xlog_blcksz 4096, expected 8192");
        }

        @Test
        void timelineZero() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(0).putInt(4, 0);
            assertInvalid(validator(), s.bytes()).hasMessage(at(0) + "xlp_tli 0, but timelines start at 1");
        }

        @Test
        void timelineAboveTheSegments() {
            byte[] bytes = segment().pageTimeline(3).fillToEnd().bytes();
            assertInvalid(validator(), bytes).hasMessage(at(0) + "xlp_tli 3, expected at most 2, the segment's timeline");
        }

        @Test
        void aPartialFirstPageTooShortForTheLongHeader() {
            byte[] bytes = Arrays.copyOf(segment().records(3).bytes(), 30);
            assertInvalid(validator().allowingPartial(), bytes)
                    .hasMessage(partialAt(0) + "30 bytes, too few for the 40-byte page header");
        }
    }

    @Nested
    class LaterPageHeaders {

        @Test
        void magicDifferentFromTheFirstPage() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(5 * PAGE).putShort(0, (short) 0xD113);
            assertInvalid(validator(), s.bytes())
                    .hasMessage(at(5 * PAGE) + "xlp_magic 0xD113 (PostgreSQL 16), expected 0xD116 (PostgreSQL 17) as on the first page");
        }

        @Test
        void infoBitsOutsideTheDefinedFlags() {
            SyntheticSegment s = segment().fillToEnd();
            int info = info(s, 2 * PAGE) | 0x0100;
            s.page(2 * PAGE).putShort(2, (short) info);
            assertInvalid(validator(), s.bytes())
                    .hasMessage(at(2 * PAGE) + "xlp_info 0x%04X has bits outside the defined 0x000F".formatted(info));
        }

        @Test
        void aLongHeaderAfterTheFirstPage() {
            SyntheticSegment s = segment().fillToEnd();
            int info = info(s, 3 * PAGE) | WalPageHeader.XLP_LONG_HEADER;
            s.page(3 * PAGE).putShort(2, (short) info);
            assertInvalid(validator(), s.bytes()).hasMessage(at(3 * PAGE)
                    + "xlp_info 0x%04X has XLP_LONG_HEADER (0x0002), which only the first page of a segment has".formatted(info));
        }

        @Test
        void pageAddressOfAnotherPlace() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(7 * PAGE).putLong(8, 0x1_0030_E000L);
            assertInvalid(validator(), s.bytes()).hasMessage(at(7 * PAGE) + "xlp_pageaddr 1/30E000, expected 0/30E000");
        }

        @Test
        void aRecycledPageFromAnOlderSegment() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(9 * PAGE).putLong(8, NAME.startLsn().value() - (1 << 20) + 9 * PAGE);
            assertInvalid(validator(), s.bytes()).hasMessage(at(9 * PAGE) + "xlp_pageaddr 0/212000, expected 0/312000");
        }

        @Test
        void timelineGoingBackwards() {
            SyntheticSegment s = segment().pageTimeline(2).record(PAGE).pageTimeline(1).fillToEnd();
            assertInvalid(validator(), s.bytes()).hasMessage(at(2 * PAGE)
                    + "xlp_tli 1 is below 2 on an earlier page, but timelines never decrease along the WAL");
        }

        @Test
        void timelineAboveTheSegments() {
            SyntheticSegment s = segment().fillToEnd();
            s.page(4 * PAGE).putInt(4, 7);
            assertInvalid(validator(), s.bytes()).hasMessage(at(4 * PAGE) + "xlp_tli 7, expected at most 2, the segment's timeline");
        }
    }

    @Nested
    class ZeroPages {

        @Test
        void aZeroPageInACompleteSegmentWithoutXlogSwitch() {
            byte[] bytes = segment().fillToEnd().bytes();
            Arrays.fill(bytes, 6 * PAGE, 7 * PAGE, (byte) 0);
            assertInvalid(validator(), bytes).hasMessage(at(6 * PAGE)
                    + "the page is zero-filled, but no XLOG_SWITCH record ended the segment's WAL before it");
        }

        @Test
        void dataAfterXlogSwitchOnALaterPage() {
            SyntheticSegment s = segment().records(6).switchRecord();
            byte[] bytes = s.bytes();
            bytes[bytes.length - 1] = 1;
            assertInvalid(validator(), bytes).hasMessage(at((1 << 20) - PAGE)
                    + "the page is not zero-filled, but the XLOG_SWITCH record at %s ended the segment's WAL".formatted(s.lastRecordLsn()));
        }

        @Test
        void dataAfterXlogSwitchOnItsOwnPage() {
            SyntheticSegment s = segment().records(6).switchRecord();
            byte[] bytes = s.bytes();
            int offset = s.position() + 16;
            bytes[offset] = 1;
            int page = offset / PAGE * PAGE;
            assertInvalid(validator(), bytes).hasMessage(at(page) + "byte at %s is not zero, but the XLOG_SWITCH record at %s ended the segment's WAL"
                    .formatted(NAME.startLsn().plus(offset), s.lastRecordLsn()));
        }

        @Test
        void dataAfterTheEndOfAPartialSegment() {
            SyntheticSegment s = segment().records(5);
            byte[] bytes = s.bytes();
            bytes[20 * PAGE + 100] = 1;
            assertInvalid(validator().allowingPartial(), bytes).hasMessage(partialAt(20 * PAGE)
                    + "the page is not zero-filled, but the written WAL ends at %s".formatted(NAME.startLsn().plus(s.position())));
        }

        @Test
        void dataAfterAZeroPageOfAPartialSegment() {
            byte[] bytes = segment().records(2).record(6 * PAGE).bytes();
            Arrays.fill(bytes, 4 * PAGE, 5 * PAGE, (byte) 0);
            assertInvalid(validator().allowingPartial(), bytes).hasMessage(partialAt(5 * PAGE)
                    + "the page is not zero-filled, but the written WAL ends at 0/308000");
        }

        @Test
        void theWalOfACompleteSegmentEndingWithoutXlogSwitch() {
            SyntheticSegment s = segment().records(5);
            Lsn end = NAME.startLsn().plus(s.position());
            int page = s.position() / PAGE * PAGE;
            assertInvalid(validator(), s.bytes()).hasMessage(at(page) + ("record at %s: xl_tot_len 0, but the WAL of a complete "
                    + "segment runs to its end unless an XLOG_SWITCH record ends it").formatted(end));
        }
    }

    @Nested
    class RecordChain {

        private static final int FIRST_RECORD = 40;

        @Test
        void aCorruptRecordFailsItsCrc() {
            SyntheticSegment s = segment().records(3).switchRecord();
            byte[] bytes = s.bytes();
            bytes[FIRST_RECORD + 30] ^= 0x40;
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            CRC32C crc = new CRC32C();
            crc.update(bytes, FIRST_RECORD + 24, 59 - 24);
            crc.update(bytes, FIRST_RECORD, 20);
            assertInvalid(validator(), bytes).hasMessage(at(0) + "record at 0/300028: xl_crc 0x%08X, but the record's bytes give 0x%08X"
                    .formatted(b.getInt(FIRST_RECORD + 20), (int) crc.getValue()));
        }

        @Test
        void aCorruptByteInTheContinuationOfARecordFailsItsCrc() {
            SyntheticSegment s = segment().records(3).switchRecord();
            byte[] bytes = s.bytes();
            bytes[2 * PAGE + 500] ^= 1; // inside the third record, which spans pages 0 to 3
            assertInvalid(validator(), bytes).hasMessageStartingWith(at(3 * PAGE) + "record at 0/300140: xl_crc 0x");
        }

        @Test
        void aBrokenPrevLink() {
            SyntheticSegment s = segment().records(3).switchRecord();
            s.page(0).putLong(FIRST_RECORD + 64 + 8, 0x300000L); // the second record, at 0/300068
            assertInvalid(validator(), s.bytes())
                    .hasMessage(at(0) + "record at 0/300068: xl_prev 0/300000, expected 0/300028, the start of the record before it");
        }

        @Test
        void aLengthBelowTheRecordHeader() {
            SyntheticSegment s = segment().records(3).switchRecord();
            s.page(0).putInt(FIRST_RECORD, 12);
            assertInvalid(validator(), s.bytes()).hasMessage(at(0) + "record at 0/300028: xl_tot_len 12 is below the minimum of 24");
        }

        @Test
        void aLengthAboveWhatAReaderCanAllocate() {
            SyntheticSegment s = segment().records(3).switchRecord();
            s.page(0).putInt(FIRST_RECORD, 0x4000_0000);
            assertInvalid(validator(), s.bytes())
                    .hasMessage(at(0) + "record at 0/300028: xl_tot_len 1073741824 is above the maximum of 1073741823");
        }

        @Test
        void aContinuedPageWithoutTheContinuationFlag() {
            SyntheticSegment s = segment().records(3).switchRecord();
            int info = info(s, PAGE) & ~WalPageHeader.XLP_FIRST_IS_CONTRECORD;
            s.page(PAGE).putShort(2, (short) info);
            assertInvalid(validator(), s.bytes()).hasMessage(at(PAGE)
                    + "xlp_info 0x%04X lacks XLP_FIRST_IS_CONTRECORD (0x0001), but the record at 0/300140 continues onto this page"
                    .formatted(info));
        }

        @Test
        void aContinuationLengthThatDisagreesWithTheRecord() {
            SyntheticSegment s = segment().records(3).switchRecord();
            int remaining = s.page(PAGE).getInt(16);
            s.page(PAGE).putInt(16, remaining + 8);
            assertInvalid(validator(), s.bytes()).hasMessage(at(PAGE) + "xlp_rem_len %d, expected %d: the rest of the record at 0/300140"
                    .formatted(remaining + 8, remaining));
        }

        @Test
        void aContinuationLengthThatDisagreesWithARecordFromThePreviousSegment() {
            SyntheticSegment s = segment().continuedRecord(20_000).records(3).switchRecord();
            int remaining = s.page(PAGE).getInt(16);
            s.page(PAGE).putInt(16, remaining - 1);
            assertInvalid(validator(), s.bytes()).hasMessage(at(PAGE)
                    + "xlp_rem_len %d, expected %d: the rest of the record continued from the previous segment".formatted(remaining - 1, remaining));
        }

        @Test
        void aContinuationLengthWithoutTheFlag() {
            SyntheticSegment s = segment().record(PAGE - 40).records(3).switchRecord();
            s.page(PAGE).putInt(16, 5);
            assertInvalid(validator(), s.bytes()).hasMessage(at(PAGE)
                    + "xlp_rem_len 5, but xlp_info 0x%04X lacks XLP_FIRST_IS_CONTRECORD (0x0001)".formatted(info(s, PAGE)));
        }

        @Test
        void aContinuationFlagWithNothingToContinue() {
            SyntheticSegment s = segment().record(PAGE - 40).records(3).switchRecord();
            int info = info(s, PAGE) | WalPageHeader.XLP_FIRST_IS_CONTRECORD;
            s.page(PAGE).putShort(2, (short) info);
            assertInvalid(validator(), s.bytes()).hasMessage(at(PAGE)
                    + "xlp_info 0x%04X has XLP_FIRST_IS_CONTRECORD (0x0001), but no record continues onto this page".formatted(info));
        }

        @Test
        void aFirstPageContinuationOfLengthZero() {
            SyntheticSegment s = segment().records(3).switchRecord();
            s.page(0).putShort(2, (short) 0x0007);
            assertInvalid(validator(), s.bytes())
                    .hasMessage(at(0) + "xlp_rem_len is 0, but xlp_info 0x0007 has XLP_FIRST_IS_CONTRECORD (0x0001)");
        }

        @Test
        void bothContinuationFlagsAtOnce() {
            SyntheticSegment s = segment().records(3).switchRecord();
            int info = info(s, PAGE) | WalPageHeader.XLP_FIRST_IS_OVERWRITE_CONTRECORD;
            s.page(PAGE).putShort(2, (short) info);
            assertInvalid(validator(), s.bytes()).hasMessage(at(PAGE)
                    + "xlp_info 0x%04X has both XLP_FIRST_IS_CONTRECORD and XLP_FIRST_IS_OVERWRITE_CONTRECORD".formatted(info));
        }
    }

    @Nested
    class PageByPage {

        @Test
        void streamingGivesTheSameVerdictAsTheWholeSegment() {
            byte[] bytes = segment().records(40).switchRecord().bytes();
            WalSegmentCheck check = validator().start();
            for (int offset = 0; offset < bytes.length; offset += PAGE) {
                check.acceptPage(ByteBuffer.wrap(bytes, offset, PAGE));
            }
            assertThatCode(check::finish).doesNotThrowAnyException();

            bytes[10 * PAGE + 9] ^= 1; // xlp_pageaddr
            WalSegmentCheck broken = validator().start();
            for (int offset = 0; offset < 10 * PAGE; offset += PAGE) {
                broken.acceptPage(ByteBuffer.wrap(bytes, offset, PAGE));
            }
            assertThatThrownBy(() -> broken.acceptPage(ByteBuffer.wrap(bytes, 10 * PAGE, PAGE)))
                    .isInstanceOf(CellarException.class)
                    .hasMessage(at(10 * PAGE) + "xlp_pageaddr 0/314100, expected 0/314000");
        }

        @Test
        void pagesAreReadFromTheBufferPositionAndLeftUntouched() {
            byte[] bytes = segment().fillToEnd().bytes();
            WalSegmentCheck check = validator().start();
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
            for (int offset = 0; offset < bytes.length; offset += PAGE) {
                buffer.limit(offset + PAGE).position(offset);
                check.acceptPage(buffer);
                assertThat(buffer.position()).isEqualTo(offset);
            }
            check.finish();
        }

        @Test
        void aCompleteSegmentMustHaveAllItsPages() {
            byte[] bytes = segment().fillToEnd().bytes();
            WalSegmentCheck check = validator().start();
            check.acceptPage(ByteBuffer.wrap(bytes, 0, PAGE));
            assertThatThrownBy(check::finish)
                    .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID))
                    .hasMessage("WAL segment 000000020000000000000003: ends after 8192 bytes, expected 1048576");
        }

        @Test
        void aCompleteSegmentHasNoShortPages() {
            byte[] bytes = segment().fillToEnd().bytes();
            WalSegmentCheck check = validator().start();
            assertThatThrownBy(() -> check.acceptPage(ByteBuffer.wrap(bytes, 0, 100)))
                    .isInstanceOf(CellarException.class)
                    .hasMessage(at(0) + "100 bytes, expected a whole page of 8192");
        }

        @Test
        void aPartialSegmentMayEndInAShortPageButNothingFollowsIt() {
            byte[] bytes = segment().records(5).bytes();
            WalSegmentCheck check = validator().allowingPartial().start();
            check.acceptPage(ByteBuffer.wrap(bytes, 0, PAGE));
            check.acceptPage(ByteBuffer.wrap(bytes, PAGE, 300));
            assertThatThrownBy(() -> check.acceptPage(ByteBuffer.wrap(bytes, 2 * PAGE, PAGE)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("a short page must be the last one given for 000000020000000000000003.partial");
            assertThatCode(check::finish).doesNotThrowAnyException();
        }

        @Test
        void misuse() {
            byte[] bytes = segment().fillToEnd().bytes();
            WalSegmentCheck check = validator().start();
            assertThatThrownBy(() -> check.acceptPage(ByteBuffer.allocate(PAGE + 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a page has 1 to 8192 bytes, not 8193");
            assertThatThrownBy(() -> check.acceptPage(ByteBuffer.allocate(0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a page has 1 to 8192 bytes, not 0");
            for (int offset = 0; offset < bytes.length; offset += PAGE) {
                check.acceptPage(ByteBuffer.wrap(bytes, offset, PAGE));
            }
            assertThatThrownBy(() -> check.acceptPage(ByteBuffer.wrap(bytes, 0, PAGE)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("all 1048576 bytes of 000000020000000000000003 have been checked");
            check.finish();
            assertThatThrownBy(check::finish)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the check of 000000020000000000000003 has finished");
            assertThatThrownBy(() -> check.acceptPage(ByteBuffer.wrap(bytes, 0, PAGE)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the check of 000000020000000000000003 has finished");
        }
    }

    @Nested
    class Configuration {

        @Test
        void defaults() {
            WalSegmentValidator v = validator();
            assertThat(v.segment()).isEqualTo(NAME);
            assertThat(v.systemIdentifier()).isEqualTo(SYSID);
            assertThat(v.expectedMajor()).isEmpty();
            assertThat(v.blockSize()).isEqualTo(8192);
            assertThat(v.isPartial()).isFalse();
            WalSegmentValidator configured = v.expectingMajor(16).withBlockSize(32768).allowingPartial();
            assertThat(configured.expectedMajor()).hasValue(16);
            assertThat(configured.blockSize()).isEqualTo(32768);
            assertThat(configured.isPartial()).isTrue();
            assertThat(v.isPartial()).isFalse();
        }

        @Test
        void unsupportedMajor() {
            assertThatThrownBy(() -> validator().expectingMajor(19))
                    .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                    .hasMessage("PostgreSQL 19 is not supported: its WAL page magic is unknown (supported: 15, 16, 17, 18)");
        }

        @Test
        void invalidBlockSize() {
            for (int size : new int[] {512, 3000, 131072, 0, -8192}) {
                assertThatThrownBy(() -> validator().withBlockSize(size))
                        .isInstanceOf(CellarException.class)
                        .hasMessage("invalid WAL block size %d: expected a power of two from 1024 to 65536".formatted(size));
            }
        }
    }
}
