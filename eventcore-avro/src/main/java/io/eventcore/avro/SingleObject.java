package io.eventcore.avro;

/**
 * The Avro single-object encoding header: the two marker bytes {@code C3 01}, then the writer
 * schema's fingerprint as 8 bytes little-endian; the binary datum follows.
 */
final class SingleObject {
    static final int HEADER_LENGTH = 10;
    static final byte MARKER_0 = (byte) 0xC3;
    static final byte MARKER_1 = (byte) 0x01;

    private SingleObject() {
    }

    /** @return the 10-byte header for a writer schema with this fingerprint */
    static byte[] header(long fingerprint) {
        byte[] header = new byte[HEADER_LENGTH];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    /** @return whether the bytes start with the marker (they are at least 2 long) */
    static boolean hasMarker(byte[] bytes) {
        return bytes[0] == MARKER_0 && bytes[1] == MARKER_1;
    }

    /** @return the fingerprint in a header (the bytes are at least {@link #HEADER_LENGTH} long) */
    static long fingerprint(byte[] bytes) {
        long fingerprint = 0;
        for (int i = 7; i >= 0; i--) {
            fingerprint = (fingerprint << 8) | (bytes[2 + i] & 0xFFL);
        }
        return fingerprint;
    }
}
