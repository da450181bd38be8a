package io.eventcore.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast path must agree with {@link Instant#parse} on every input, valid or not. */
class IsoInstantsTest {
    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years the fast path reads. */
    private static final long MIN_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long MAX_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    /** What the router did before the fast path: trim, {@code Instant.parse}, {@code null} if unreadable. */
    private static Instant reference(String text) {
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void assertAgrees(String text) {
        Instant expected = reference(text);
        assertThat(IsoInstants.parse(text.getBytes(StandardCharsets.UTF_8))).as(text).isEqualTo(expected);
        assertThat(IsoInstants.parse(text)).as(text).isEqualTo(expected);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss}, then {@code digits} fraction digits of the nanos, then {@code Z}. */
    private static String withFraction(Instant instant, int digits) {
        String seconds = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC)
                .withNano(0).toLocalDateTime());
        if (digits == 0) {
            return seconds + "Z";
        }
        String nanos = String.format("%09d", instant.getNano());
        return seconds + "." + nanos.substring(0, digits) + "Z";
    }

    @Test
    void writtenInstants_parseExactly_withEveryFractionLength() {
        SplittableRandom random = new SplittableRandom(14);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(MIN_SECOND, MAX_SECOND + 1),
                    random.nextInt(1_000_000_000));
            String written = DateTimeFormatter.ISO_INSTANT.format(instant);
            assertThat(IsoInstants.fastPath(written.getBytes(StandardCharsets.US_ASCII))).as(written)
                    .isEqualTo(instant);
            assertAgrees(instant.toString());
            assertAgrees(withFraction(instant, i % 10));
        }
    }

    @Test
    void wholeSecondsAndRoundFractions_takeTheFastPath() {
        for (String text : List.of("2026-12-01T21:10:31Z", "2026-12-01T21:10:31.123Z", "2026-12-01T21:10:31.123456Z",
                "2026-12-01T21:10:31.123456789Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z")) {
            assertThat(IsoInstants.fastPath(text.getBytes(StandardCharsets.US_ASCII))).as(text)
                    .isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void everyDayOfFourCenturies_parsesAsInstantParseDoes() {
        // 1600 to 2000 holds every leap-year rule: 1600 and 2000 leap, 1700, 1800 and 1900 not.
        for (LocalDate d = LocalDate.of(1600, 1, 1); d.getYear() <= 2000; d = d.plusDays(1)) {
            assertAgrees(d + "T12:34:56Z");
        }
        for (String day : List.of("2024-02-29", "2000-02-29", "1900-02-29", "2023-02-29", "2100-02-29", "0000-02-29",
                "2026-04-31", "2026-06-31", "2026-09-31", "2026-11-31", "2026-01-32", "2026-12-32", "2026-02-30")) {
            assertAgrees(day + "T00:00:00Z");
            assertAgrees(day + "T23:59:59.5Z");
        }
    }

    @Test
    void malformedOrUnusualText_agreesWithInstantParse() {
        for (String text : List.of("", "Z", "garbage", "2026-12-01", "2026-12-01T21:10Z", "2026-12-01T21:10:31",
                "2026-12-01 21:10:31Z", "2026-12-01t21:10:31z", " 2026-12-01T21:10:31Z ", "2026-12-01T21:10:31.Z",
                "2026-12-01T21:10:31.1234567890Z", "2026-12-01T21:10:31,123Z", "2026-13-01T21:10:31Z",
                "2026-00-01T21:10:31Z", "2026-12-00T21:10:31Z", "2026-12-01T24:00:00Z", "2026-12-01T24:00:01Z",
                "2026-12-31T23:59:60Z", "2026-12-01T23:60:00Z", "2026-12-01T21:10:31+01:00", "+12026-12-01T21:10:31Z",
                "-0001-12-01T21:10:31Z", "20261-12-01T21:10:31Z", "2026-1-01T21:10:31Z", "2026-12-01T21:10:31.-1Z",
                "2026-12-01T21:10:3aZ", "2026-12-01T21:10:31.12a4Z", "2026-12-01T21:10:31.123\u00e9Z",
                "\u0662\u0660\u0662\u0666-12-01T21:10:31Z", "2026-12-01T21:10:31.000000000Z")) {
            assertAgrees(text);
        }
    }

    @Test
    void randomCorruptions_ofWrittenInstants_agreeWithInstantParse() {
        SplittableRandom random = new SplittableRandom(7);
        String alphabet = "0123456789-:.TZtz +9x";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder text = new StringBuilder(withFraction(Instant.ofEpochSecond(
                    random.nextLong(MIN_SECOND, MAX_SECOND + 1), random.nextInt(1_000_000_000)), random.nextInt(10)));
            int edits = 1 + random.nextInt(2);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> text.deleteCharAt(at);
                    default -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            assertAgrees(text.toString());
        }
    }

    @Test
    void nullText_isNull() {
        assertThat(IsoInstants.parse((byte[]) null)).isNull();
        assertThat(IsoInstants.parse((String) null)).isNull();
    }

    @Test
    void malformedUtf8_isNull_likeItsDecodedText() {
        byte[] bytes = "2026-12-01T21:10:31.12345678Z".getBytes(StandardCharsets.US_ASCII);
        bytes[22] = (byte) 0xC3;
        assertThat(IsoInstants.parse(bytes)).isEqualTo(reference(new String(bytes, StandardCharsets.UTF_8))).isNull();
    }
}
