package dev.cellar.storage.repository;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.codec.Codec;
import java.io.IOException;
import java.util.function.Function;

/**
 * The one JSON mapping of the repository's documents. PostgreSQL values are written the way
 * PostgreSQL prints them (LSNs as {@code 0/3000060}, timelines as decimal numbers), times as
 * ISO-8601 UTC strings, so the documents can be read by a person and by other tools.
 *
 * <p>Unknown properties are ignored: a document written by a newer Cellar with the same
 * {@code format} number only adds fields. A newer {@code format} is refused before mapping.
 */
final class RepositoryJson {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(cellarTypes())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private RepositoryJson() {
    }

    private static SimpleModule cellarTypes() {
        SimpleModule module = new SimpleModule("cellar-repository");
        text(module, Lsn.class, Lsn::toString, Lsn::parse);
        text(module, ObjectKey.class, ObjectKey::value, ObjectKey::of);
        text(module, Codec.class, Codec::spec, Codec::parse);
        module.addSerializer(TimelineId.class, new JsonSerializer<>() {
            @Override
            public void serialize(TimelineId value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeNumber(value.value());
            }
        });
        module.addDeserializer(TimelineId.class, new JsonDeserializer<>() {
            @Override
            public TimelineId deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return TimelineId.of(p.getValueAsLong());
            }
        });
        return module;
    }

    private static <T> void text(SimpleModule module, Class<T> type, Function<T, String> format, Function<String, T> parse) {
        module.addSerializer(type, new JsonSerializer<>() {
            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(format.apply(value));
            }
        });
        module.addDeserializer(type, new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return parse.apply(p.getValueAsString());
            }
        });
    }
}
