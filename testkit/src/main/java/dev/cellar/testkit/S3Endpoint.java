package dev.cellar.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A real S3-compatible endpoint in this JVM (S3Proxy with a file-system blob store) on a free
 * loopback port, with AWS signature v2/v4 authentication. {@link #client()} returns an AWS SDK v2
 * client already configured for it. Close to stop it.
 */
public final class S3Endpoint implements AutoCloseable {
    public static final String ACCESS_KEY = "cellar-test-access";
    public static final String SECRET_KEY = "cellar-test-secret-0a9f";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final URI endpoint;
    private final Path directory;

    private S3Endpoint(S3Proxy proxy, URI endpoint, Path directory) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.directory = directory;
    }

    /** Starts an endpoint storing its objects under a new directory of the test root. */
    public static S3Endpoint start() {
        Path dir = TestRoot.newDirectory("s3");
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toString());
        properties.setProperty("jclouds.identity", ACCESS_KEY);
        properties.setProperty("jclouds.credential", SECRET_KEY);
        BlobStore store = BlobStores.create("filesystem-nio2", properties);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .ignoreUnknownHeaders(true)
                .build();
        try {
            proxy.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy: " + e, e);
        }
        Awaitility.await("S3Proxy started").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> "STARTED".equals(proxy.getState()));
        return new S3Endpoint(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()), dir);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Where the blob store keeps its files (to corrupt or inspect objects in tests). */
    public Path directory() {
        return directory;
    }

    /** A new client for this endpoint (path-style addressing, static test credentials). */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy: " + e, e);
        }
        TestRoot.deleteQuietly(directory);
    }
}
