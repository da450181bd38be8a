package io.eventcore.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The guard must reject exactly the documents Jackson's own strict duplicate detection rejects. */
class DuplicateKeyGuardTest {
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final JsonFactory LENIENT = JsonFactory.builder().build();

    record Inner(String a) {
    }

    record Outer(String id, List<Inner> items) {
    }

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
        try (JsonParser p = new DuplicateKeyGuard(LENIENT.createParser(json.getBytes(StandardCharsets.UTF_8)))) {
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
            for (String mode : List.of("tokens", "skip", "values", "names")) {
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
            for (String mode : List.of("tokens", "skip", "values", "names")) {
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
    void everyMethodThatMovesTheParserOn_isOverridden() throws NoSuchMethodException {
        // A Jackson upgrade that adds a fast path the guard does not see must fail here, not let repeats in.
        for (Method m : JsonParser.class.getMethods()) {
            if (m.getName().startsWith("next") || m.getName().startsWith("skip")) {
                assertThat(DuplicateKeyGuard.class.getDeclaredMethod(m.getName(), m.getParameterTypes()))
                        .as(m.toString()).isNotNull();
            }
        }
    }

    @Test
    void tokensPassThroughUnchanged() throws IOException {
        String json = "{\"a\":[1,{\"b\":true}],\"c\":\"d\"}";
        try (JsonParser strict = STRICT.createParser(json);
                JsonParser guard = new DuplicateKeyGuard(LENIENT.createParser(json))) {
            JsonToken t;
            do {
                t = strict.nextToken();
                assertThat(guard.nextToken()).isEqualTo(t);
                assertThat(guard.currentName()).isEqualTo(strict.currentName());
            } while (t != null);
        }
    }
}
