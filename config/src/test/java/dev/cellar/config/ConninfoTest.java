package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConninfoTest {
    @Test
    void readsKeywordValuePairsWithSpacesAroundEquals() {
        Conninfo c = Conninfo.parse("  host = pg1   port=5433\tuser =backup dbname= app ");

        assertThat(c.parameters()).containsExactly(Map.entry("host", "pg1"), Map.entry("port", "5433"),
                Map.entry("user", "backup"), Map.entry("dbname", "app"));
        assertThat(c.hosts()).containsExactly(new HostPort("pg1", Optional.empty(), 5433));
        assertThat(c.user()).contains("backup");
        assertThat(c.dbname()).contains("app");
    }

    @Test
    void unquotesSingleQuotedValuesWithBackslashEscapes() {
        Conninfo c = Conninfo.parse("application_name='it\\'s a \\\\ test' options='-c search_path=x' sslcert=''");

        assertThat(c.applicationName()).contains("it's a \\ test");
        assertThat(c.get("options")).contains("-c search_path=x");
        assertThat(c.get("sslcert")).contains("");
    }

    @Test
    void takesTheCharacterAfterABackslashLiterallyOutsideQuotes() {
        Conninfo c = Conninfo.parse("application_name=a\\ b\\'c user=x\\");

        assertThat(c.applicationName()).contains("a b'c");
        assertThat(c.user()).contains("x");
    }

    @Test
    void printsTheKeywordValueFormBackQuotingWhereNeeded() {
        Conninfo c = Conninfo.parse("host=pg1 application_name='it\\'s me' sslcert='' sslkey=C:\\\\keys\\\\k");

        assertThat(c).hasToString("host=pg1 application_name='it\\'s me' sslcert='' sslkey='C:\\\\keys\\\\k'");
        assertThat(Conninfo.parse(c.toString())).isEqualTo(c);
    }

    @Test
    void oneBasePortAppliesToEveryHost() {
        assertThat(Conninfo.parse("host=pg1,pg2 port=5433").hosts()).extracting(HostPort::toString)
                .containsExactly("pg1:5433", "pg2:5433");
    }

    @Test
    void onePortPerHostAndEmptyEntriesMeanDefaults() {
        assertThat(Conninfo.parse("host=pg1,,pg3 port=5433,5434,").hosts()).extracting(HostPort::toString)
                .containsExactly("pg1:5433", "localhost:5434", "pg3:5432");
    }

    @Test
    void defaultsToLocalhost5432() {
        assertThat(Conninfo.parse("").hosts()).containsExactly(new HostPort("localhost", Optional.empty(), 5432));
    }

    @Test
    void pairsHostaddrWithHostAndUsesItAloneAsTheHost() {
        assertThat(Conninfo.parse("host=pg1,pg2 hostaddr=10.0.0.1,").hosts()).containsExactly(
                new HostPort("pg1", Optional.of("10.0.0.1"), 5432), new HostPort("pg2", Optional.empty(), 5432));
        assertThat(Conninfo.parse("hostaddr=::1").hosts()).containsExactly(new HostPort("::1", Optional.of("::1"), 5432));
        assertThat(Conninfo.parse("host=/var/run/postgresql").hosts().getFirst().isUnixSocket()).isTrue();
    }

    @Test
    void readsTypedSettingsWithLibpqDefaults() {
        Conninfo plain = Conninfo.parse("host=pg1");
        assertThat(plain.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(plain.targetSessionAttrs()).isEqualTo(TargetSessionAttrs.ANY);
        assertThat(plain.connectTimeout()).isEmpty();
        assertThat(plain.applicationName()).isEmpty();

        Conninfo tuned = Conninfo.parse("host=pg1 sslmode=verify-full sslrootcert=/etc/ssl/ca.pem"
                + " target_session_attrs=prefer-standby connect_timeout=10 application_name=cellar");
        assertThat(tuned.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(tuned.sslRootCert()).contains("/etc/ssl/ca.pem");
        assertThat(tuned.targetSessionAttrs()).isEqualTo(TargetSessionAttrs.PREFER_STANDBY);
        assertThat(tuned.connectTimeout()).contains(Duration.ofSeconds(10));
        assertThat(tuned.applicationName()).contains("cellar");
    }

    @Test
    void followsLibpqForConnectTimeoutAndSystemRootCertificates() {
        assertThat(Conninfo.parse("connect_timeout=0").connectTimeout()).isEmpty();
        assertThat(Conninfo.parse("connect_timeout=1").connectTimeout()).contains(Duration.ofSeconds(2));
        assertThat(Conninfo.parse("sslrootcert=system").sslMode()).isEqualTo(SslMode.VERIFY_FULL);
    }

    @Test
    void readsTheUriFormWithPercentDecoding() {
        Conninfo c = Conninfo.parse("postgresql://back%40up@pg1:5433,[2001:db8::1]:5434/my%20db"
                + "?sslmode=require&target_session_attrs=read-write&application_name=a%2Bb+c");

        assertThat(c.user()).contains("back@up");
        assertThat(c.dbname()).contains("my db");
        assertThat(c.hosts()).extracting(HostPort::toString).containsExactly("pg1:5433", "[2001:db8::1]:5434");
        assertThat(c.sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(c.targetSessionAttrs()).isEqualTo(TargetSessionAttrs.READ_WRITE);
        assertThat(c.applicationName()).contains("a+b+c");
        assertThat(Conninfo.parse("postgres://").hosts()).extracting(HostPort::toString).containsExactly("localhost:5432");
        assertThat(Conninfo.parse("postgresql://pg1,pg2:5433").hosts()).extracting(HostPort::toString)
                .containsExactly("pg1:5432", "pg2:5433");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            hots=pg1                      | unknown key 'hots' at character 1; did you mean 'host'?
            host=pg1 fancy=1              | unknown key 'fancy' at character 10; expected one of host, hostaddr, port, user, dbname, passfile, connect_timeout, application_name, fallback_application_name, options, target_session_attrs, sslmode, sslnegotiation, sslrootcert, sslcert, sslkey, sslcrl, channel_binding, keepalives, keepalives_idle, keepalives_interval, keepalives_count, tcp_user_timeout
            host=pg1 replication=true     | unknown key 'replication' at character 10; Cellar opens replication connections itself, remove it
            host pg1                      | missing '=' after 'host' at character 1
            =pg1                          | missing key before '=' at character 1
            host='pg1                     | unterminated quoted string starting at character 6
            sslmode=requre                | invalid sslmode 'requre' at character 1: expected one of disable, allow, prefer, require, verify-ca, verify-full; did you mean 'require'?
            target_session_attrs=master   | invalid target_session_attrs 'master' at character 1: expected one of any, read-write, read-only, primary, standby, prefer-standby
            channel_binding=always        | invalid channel_binding 'always' at character 1: expected one of disable, prefer, require
            port=5432,x                   | invalid port '5432,x' at character 1: 'x' is not a port number (1..65535)
            port=70000                    | invalid port '70000' at character 1: '70000' is not a port number (1..65535)
            hostaddr=pg1.example.net      | invalid hostaddr 'pg1.example.net' at character 1: 'pg1.example.net' is not a numeric IP address (put names in host)
            connect_timeout=10s           | invalid connect_timeout '10s' at character 1: expected a whole number of seconds
            keepalives=2                  | invalid keepalives '2' at character 1: expected 0 (off) or 1 (on)
            host=a,b,c port=1,2           | could not match 2 port numbers to 3 hosts
            host=a,b hostaddr=10.0.0.1    | could not match 2 host names to 1 hostaddr values
            host=a host=b                 | key 'host' is given twice (at characters 1 and 8)
            sslmode=prefer sslnegotiation=direct | weak sslmode 'prefer' may not be used with sslnegotiation=direct (use require, verify-ca or verify-full)
            sslmode=require sslrootcert=system   | weak sslmode 'require' may not be used with sslrootcert=system (use verify-full)
            postgresql://pg1/db?sslmode   | missing '=' in URI parameter at character 21
            postgresql://pg1/%zz          | invalid percent-encoding at character 18; expected %XX with hex digits
            postgresql://[::1             | missing ']' after the IPv6 address at character 14
            postgresql://pg1?hots=x       | unknown key 'hots' at character 18; did you mean 'host'?
            """)
    void rejectsWithThePositionAndAReason(String conninfo, String message) {
        assertThatThrownBy(() -> Conninfo.parse(conninfo))
                .isInstanceOf(CellarException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.INVALID_VALUE));
    }

    @Test
    void refusesAPasswordWithoutRepeatingIt() {
        for (String conninfo : new String[] {"host=pg1 password=hunter2", "postgresql://backup:hunter2@pg1/db",
                "postgresql://pg1/db?password=hunter2"}) {
            assertThatThrownBy(() -> Conninfo.parse(conninfo))
                    .isInstanceOf(CellarException.class)
                    .hasMessageContaining("a password must not be written in conninfo")
                    .hasMessageContaining("password_file")
                    .hasMessageNotContaining("hunter2");
        }
        assertThatThrownBy(() -> new Conninfo(Map.of("password", "hunter2")))
                .hasMessageStartingWith("a password must not be written in conninfo (key 'password');")
                .hasMessageNotContaining("hunter2");
    }
}
