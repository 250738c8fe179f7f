package dev.cellar.walreceiver.connection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerVersionsTest {

    @Test
    void readsTheFormsServersReport() {
        assertThat(ServerVersions.parse("17.11")).contains(170011);
        assertThat(ServerVersions.parse("18.6 (Debian 18.6-1.pgdg120+1)")).contains(180006);
        assertThat(ServerVersions.parse("15.19")).contains(150019);
        assertThat(ServerVersions.parse("16beta1")).contains(160000);
        assertThat(ServerVersions.parse("18rc1")).contains(180000);
        assertThat(ServerVersions.parse("9.6.24")).isEmpty();
        assertThat(ServerVersions.parse("banana")).isEmpty();
    }
}
