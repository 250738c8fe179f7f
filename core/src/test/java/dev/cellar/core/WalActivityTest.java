package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WalActivityTest {
    @Test
    void housekeepingRecordsOfAnIdleServerChangeNothing() {
        assertThat(WalActivity.changesData(0, 0x10)).as("checkpoint online").isFalse();
        assertThat(WalActivity.changesData(0, 0x00)).as("checkpoint shutdown").isFalse();
        assertThat(WalActivity.changesData(0, 0x40)).as("switch").isFalse();
        assertThat(WalActivity.changesData(0, 0x50)).as("backup end").isFalse();
        assertThat(WalActivity.changesData(0, 0xE0)).as("checkpoint redo (17+)").isFalse();
        assertThat(WalActivity.changesData(8, 0x10)).as("running xacts").isFalse();
    }

    @Test
    void theLowInfoBitsBelongToTheRecordMachineryNotTheKind() {
        // XLR_SPECIAL_REL_UPDATE (0x01) and XLR_CHECK_CONSISTENCY (0x02) live in the low bits.
        assertThat(WalActivity.changesData(0, 0x13)).isFalse();
        assertThat(WalActivity.changesData(10, 0x01)).isTrue();
    }

    @Test
    void everythingElseCountsAsAChange() {
        assertThat(WalActivity.changesData(0, 0x30)).as("next oid").isTrue();
        assertThat(WalActivity.changesData(0, 0xA0)).as("fpi for hint").isTrue();
        assertThat(WalActivity.changesData(0, 0xB0)).as("fpi").isTrue();
        assertThat(WalActivity.changesData(1, 0x00)).as("commit").isTrue();
        assertThat(WalActivity.changesData(8, 0x00)).as("standby lock").isTrue();
        assertThat(WalActivity.changesData(8, 0x20)).as("invalidations").isTrue();
        assertThat(WalActivity.changesData(10, 0x00)).as("heap insert").isTrue();
        assertThat(WalActivity.changesData(200, 0x00)).as("custom rmgr").isTrue();
    }
}
