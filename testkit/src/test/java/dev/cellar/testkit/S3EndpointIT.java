package dev.cellar.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3EndpointIT {
    static S3Endpoint endpoint;

    @BeforeAll
    static void start() {
        endpoint = S3Endpoint.start();
    }

    @AfterAll
    static void stop() {
        endpoint.close();
    }

    @Test
    void answersPutGetListAndDelete() {
        try (S3Client s3 = endpoint.client()) {
            s3.createBucket(b -> b.bucket("cellar"));
            s3.putObject(p -> p.bucket("cellar").key("clusters/c1/cluster.json"), RequestBody.fromString("{\"format\":1}"));
            s3.putObject(p -> p.bucket("cellar").key("clusters/c2/cluster.json"), RequestBody.fromString("{}"));

            assertThat(s3.getObjectAsBytes(g -> g.bucket("cellar").key("clusters/c1/cluster.json")).asUtf8String())
                    .isEqualTo("{\"format\":1}");
            assertThat(s3.listObjectsV2(l -> l.bucket("cellar").prefix("clusters/c1/")).contents())
                    .extracting(S3Object::key).containsExactly("clusters/c1/cluster.json");
            assertThat(s3.getObjectAsBytes(g -> g.bucket("cellar").key("clusters/c1/cluster.json").range("bytes=1-8"))
                    .asUtf8String()).isEqualTo("\"format\"");

            s3.deleteObject(d -> d.bucket("cellar").key("clusters/c1/cluster.json"));
            assertThatThrownBy(() -> s3.getObjectAsBytes(g -> g.bucket("cellar").key("clusters/c1/cluster.json")))
                    .isInstanceOf(NoSuchKeyException.class);
        }
    }

    @Test
    void rejectsWrongCredentials() {
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(endpoint.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                        S3Endpoint.ACCESS_KEY, "not-the-secret"))
                .forcePathStyle(true)
                .build()) {
            assertThatThrownBy(() -> s3.listBuckets())
                    .isInstanceOf(software.amazon.awssdk.services.s3.model.S3Exception.class);
        }
    }
}
