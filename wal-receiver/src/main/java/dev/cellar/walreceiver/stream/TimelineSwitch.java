package dev.cellar.walreceiver.stream;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;

/** The end of a streamed timeline: the server's next timeline and where it starts. */
record TimelineSwitch(TimelineId nextTimeline, Lsn nextStart) {
}
