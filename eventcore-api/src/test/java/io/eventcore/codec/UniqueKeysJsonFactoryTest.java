package io.eventcore.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The factory's parsers must reject exactly the documents Jackson's own strict duplicate detection rejects. */
class UniqueKeysJsonFactoryTest {
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final JsonFactory UNIQUE = new UniqueKeysJsonFactory(JsonEventCodec.boundedFactory(
            JsonEventCodec.builder()));

    record Inner(String a) {
    }

    record Outer(String id, List<Inner> items) {
    }

    private static final List<String> MODES = List.of("tokens", "skip", "values", "names", "texts");

    /** How reading a document ends: "ok", or the kind of failure. */
    private static String jackson(String json) {
        try (JsonParser p = STRICT.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            while (p.nextToken() != null) {
                // read every token
            }
            return "ok";
        } catch (IOException e) {
            return e.getMessage().startsWith("Duplicate field") ? "duplicate" : "malformed";
        }
    }

    private static String guarded(String json, String mode) {
        try (JsonParser p = UNIQUE.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            if (json.length() >= 4) {
                assertThat(p.getClass().getName()).as("our parser").endsWith("UniqueKeysJsonFactory$Parser");
            }
            switch (mode) {
                case "skip" -> {
                    p.nextToken();
                    p.skipChildren();
                    p.nextToken();
                }
                case "values" -> {
                    while (p.nextValue() != null) {
                        // read every value
                    }
                }
                case "names" -> {
                    while (p.nextFieldName() != null || p.currentToken() != null) {
                        // nextFieldName and its fall-back token
                    }
                }
                case "texts" -> {
                    while (p.nextTextValue() != null || p.currentToken() != null) {
                        // nextTextValue and its fall-back token
                    }
                }
                default -> {
                    while (p.nextToken() != null) {
                        // read every token
                    }
                }
            }
            return "ok";
        } catch (IOException e) {
            return e.getMessage().startsWith("Duplicate field") ? "duplicate" : "malformed";
        }
    }

    private static void value(StringBuilder out, SplittableRandom random, int depth, int names) {
        int kind = depth >= 5 ? random.nextInt(3) : random.nextInt(6);
        switch (kind) {
            case 0 -> out.append(random.nextInt(1000));
            case 1 -> out.append("\"s").append(random.nextInt(10)).append('"');
            case 2 -> out.append(random.nextBoolean() ? "true" : "null");
            case 3, 4 -> {
                out.append('{');
                int n = random.nextInt(random.nextInt(10) == 0 ? 40 : 6);
                for (int i = 0; i < n; i++) {
                    out.append(i > 0 ? "," : "").append("\"k").append(random.nextInt(names)).append("\":");
                    value(out, random, depth + 1, names);
                }
                out.append('}');
            }
            default -> {
                out.append('[');
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    out.append(i > 0 ? "," : "");
                    value(out, random, depth + 1, names);
                }
                out.append(']');
            }
        }
    }

    @Test
    void randomDocuments_areRejectedExactlyWhenJacksonRejectsThem() {
        SplittableRandom random = new SplittableRandom(14);
        int duplicates = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder json = new StringBuilder("{\"root\":");
            // Few distinct names make repeats common, many make them rare.
            value(json, random, 0, 2 + random.nextInt(80));
            json.append('}');
            String expected = jackson(json.toString());
            duplicates += expected.equals("duplicate") ? 1 : 0;
            for (String mode : MODES) {
                assertThat(guarded(json.toString(), mode)).as(mode + ": " + json).isEqualTo(expected);
            }
        }
        assertThat(duplicates).as("the generator makes both kinds").isBetween(2_000, 18_000);
    }

    @Test
    void repeatsAreFound_inBigObjects_nestedObjects_andObjectsInArrays() {
        StringBuilder big = new StringBuilder("{");
        for (int i = 0; i < 100; i++) {
            big.append("\"k").append(i).append("\":{\"x\":1,\"y\":[{\"x\":2},{\"x\":3}]},");
        }
        String bigOk = big + "\"last\":0}";
        String bigRepeat = big + "\"k42\":0}";
        for (String json : List.of(bigOk, bigRepeat, "{\"a\":{\"b\":1,\"b\":2}}", "[{\"a\":1},{\"a\":1,\"a\":2}]",
                "{\"a\":[{\"a\":1}],\"a\":2}", "{\"a\":{\"a\":{\"a\":{}}}}", "{\"a\":1}{\"a\":2}", "{\"a\":1,", "}")) {
            for (String mode : MODES) {
                assertThat(guarded(json, mode)).as(mode + ": " + json).isEqualTo(jackson(json));
            }
        }
        assertThat(jackson(bigRepeat)).isEqualTo("duplicate");
        assertThat(jackson(bigOk)).isEqualTo("ok");
    }

    @Test
    void codec_rejectsRepeats_inKnownAndIgnoredProperties_andDecodesTheRest() {
        EventCodec codec = EventCodec.json();
        byte[] ok = "{\"id\":\"o\",\"items\":[{\"a\":\"x\"},{\"a\":\"y\"}],\"extra\":{\"b\":1,\"c\":{\"b\":2}}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(codec.decode(ok, Outer.class, "Outer"))
                .isEqualTo(new Outer("o", List.of(new Inner("x"), new Inner("y"))));
        for (String json : List.of("{\"id\":\"o\",\"id\":\"p\"}",
                "{\"id\":\"o\",\"items\":[{\"a\":\"x\",\"a\":\"y\"}]}",
                "{\"id\":\"o\",\"extra\":{\"b\":1,\"b\":2}}", "{\"id\":\"o\",\"extra\":[{\"z\":{\"q\":1,\"q\":1}}]}")) {
            assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8), Outer.class, "Outer"))
                    .as(json).isInstanceOf(DecodeException.class).hasMessageContaining("Duplicate field");
        }
        assertThatThrownBy(() -> codec.decode("{\"k\":1,\"k\":2}".getBytes(StandardCharsets.UTF_8), Map.class, "M"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("Duplicate field 'k'");
    }

    @Test
    void otherEncodings_takeJacksonsOwnParser_andItsCheck() throws IOException {
        String json = "{\"a\":1,\"a\":2}";
        List<byte[]> inputs = List.of(("\uFEFF" + json).getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_16BE), json.getBytes(StandardCharsets.UTF_16LE),
                json.getBytes(StandardCharsets.UTF_16), json.getBytes(Charset.forName("UTF-32BE")), "{}".getBytes());
        for (byte[] input : inputs) {
            try (JsonParser p = UNIQUE.createParser(input)) {
                assertThat(p.getClass().getName()).doesNotEndWith("UniqueKeysJsonFactory$Parser");
                if (input.length > 2) {
                    assertThatThrownBy(() -> {
                        while (p.nextToken() != null) {
                            // read every token
                        }
                    }).hasMessageStartingWith("Duplicate field 'a'");
                }
            }
        }
        try (JsonParser p = UNIQUE.createParser(new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)))) {
            assertThatThrownBy(() -> {
                while (p.nextToken() != null) {
                    // read every token
                }
            }).hasMessageStartingWith("Duplicate field 'a'");
        }
    }

    @Test
    void theCallersArray_isNeverRecycled() throws IOException {
        byte[] document = "{\"a\":[1,2,3],\"b\":\"text\"}".getBytes(StandardCharsets.UTF_8);
        byte[] copy = document.clone();
        for (int i = 0; i < 100; i++) {
            try (JsonParser p = UNIQUE.createParser(document)) {
                while (p.nextToken() != null) {
                    // read every token
                }
            }
            // Streams take read buffers from the recycler: the document must never be one.
            try (JsonParser p = UNIQUE.createParser(new java.io.ByteArrayInputStream(("{\"x\":" + i + "}")
                    .getBytes(StandardCharsets.UTF_8)))) {
                while (p.nextToken() != null) {
                    // read every token
                }
            }
        }
        assertThat(document).isEqualTo(copy);
    }

    @Test
    void aFactoryWithoutStrictDetection_isRejected() {
        assertThatThrownBy(() -> new UniqueKeysJsonFactory(new JsonFactoryBuilder()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(UNIQUE.copy()).isInstanceOf(UniqueKeysJsonFactory.class);
    }

    @Test
    void tokensPassThroughUnchanged() throws IOException {
        String json = "{\"a\":[1,{\"b\":true}],\"c\":\"d\"}";
        try (JsonParser strict = STRICT.createParser(json);
                JsonParser guard = UNIQUE.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            JsonToken t;
            do {
                t = strict.nextToken();
                assertThat(guard.nextToken()).isEqualTo(t);
                assertThat(guard.currentName()).isEqualTo(strict.currentName());
            } while (t != null);
        }
    }
}
