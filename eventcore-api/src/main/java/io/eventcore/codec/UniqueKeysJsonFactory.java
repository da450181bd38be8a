package io.eventcore.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.JsonReadContext;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * A {@link JsonFactory} whose parsers reject an object that repeats a property name, at any depth,
 * as Jackson's {@link StreamReadFeature#STRICT_DUPLICATE_DETECTION} does, but cheaply. Jackson's
 * check builds a {@code HashSet} for every object of three or more properties (some 1.7 KB and a
 * tenth of the decode time of a 1.2 KB event). Here the open objects keep their names in one array
 * per parser, and a new name is compared with its object's earlier ones only when a 64-bit mask of
 * their hashes says it might repeat one; only an object of more than {@value #SCAN_LIMIT} properties
 * gets a set, so a huge one stays linear.
 *
 * <p>The check sits where Jackson's does, in {@link JsonReadContext#setCurrentName}, which every
 * way of reading a property name goes through. UTF-8 byte arrays without a byte-order mark, which
 * is what eventcore encodes, get such a parser; any other input (a BOM, UTF-16 or UTF-32, streams,
 * readers) gets Jackson's own parser with its own check, since the factory is built with
 * {@code STRICT_DUPLICATE_DETECTION} on. Immutable and thread-safe, as {@code JsonFactory} is.
 */
final class UniqueKeysJsonFactory extends JsonFactory {
    private static final long serialVersionUID = 1L;
    static final int SCAN_LIMIT = 16;

    /** @param builder the settings; must enable {@code STRICT_DUPLICATE_DETECTION} */
    UniqueKeysJsonFactory(JsonFactoryBuilder builder) {
        super(builder);
        if (!isEnabled(StreamReadFeature.STRICT_DUPLICATE_DETECTION)) {
            throw new IllegalArgumentException("the factory must be built with STRICT_DUPLICATE_DETECTION");
        }
    }

    private UniqueKeysJsonFactory(UniqueKeysJsonFactory source, ObjectCodec codec) {
        super(source, codec);
    }

    @Override
    public JsonFactory copy() {
        return new UniqueKeysJsonFactory(this, null);
    }

    @Override
    protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
        if (!plainUtf8(data, offset, len) || !isEnabled(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)) {
            return super._createParser(data, offset, len, ctxt);
        }
        // What JsonFactory and its bootstrapper do for UTF-8 without a BOM, with our parser; the
        // array is the caller's, so the parser must not recycle it.
        // Jackson's own check is off in it (its root detector would be made and thrown away).
        _streamReadConstraints.validateDocumentLength(len);
        int features = _parserFeatures & ~JsonParser.Feature.STRICT_DUPLICATE_DETECTION.getMask();
        return new Parser(ctxt, features, _objectCodec, _byteSymbolCanonicalizer.makeChild(_factoryFeatures), data,
                offset, offset + len);
    }

    /**
     * Whether Jackson's encoding detection reads these bytes as UTF-8 without a BOM: its checks for a
     * BOM and for UTF-16 and UTF-32 all need a first byte of 0x00, 0xEF, 0xFE or 0xFF, or a zero
     * second byte.
     */
    static boolean plainUtf8(byte[] data, int offset, int len) {
        if (len < 4) {
            return false;
        }
        int first = data[offset] & 0xFF;
        return first != 0x00 && first != 0xEF && first != 0xFE && first != 0xFF && data[offset + 1] != 0;
    }

    /** Jackson's UTF-8 parser with {@link Names} contexts in place of its own. */
    private static final class Parser extends UTF8StreamJsonParser {
        /** The names of the open objects, outermost first; each context owns a slice. */
        String[] names = new String[16];

        Parser(IOContext ctxt, int features, ObjectCodec codec, ByteQuadsCanonicalizer symbols, byte[] data,
                int start, int end) {
            super(ctxt, features, null, codec, symbols, data, start, end, 0, false);
            _parsingContext = new Names(this, null, 0, JsonStreamContext.TYPE_ROOT, 1, 0);
        }
    }

    /**
     * A parsing context that remembers its object's property names and rejects a repeat. Its names
     * are the slice of the parser's array that begins where its parent's end, so one array serves
     * every level, and a closed object's slice is reused by the next.
     */
    private static final class Names extends JsonReadContext {
        private final Parser parser;
        private int start;
        private int count;
        /** Bit {@code hash & 63} set for each name so far. */
        private long hashBits;
        private Set<String> many;

        Names(Parser parser, Names parent, int depth, int type, int lineNr, int colNr) {
            super(parent, depth, null, type, lineNr, colNr);
            this.parser = parser;
            this.start = parent == null ? 0 : parent.start + parent.count;
        }

        @Override
        public JsonReadContext createChildArrayContext(int lineNr, int colNr) {
            return child(TYPE_ARRAY, lineNr, colNr);
        }

        @Override
        public JsonReadContext createChildObjectContext(int lineNr, int colNr) {
            return child(TYPE_OBJECT, lineNr, colNr);
        }

        private JsonReadContext child(int type, int lineNr, int colNr) {
            Names c = (Names) _child;
            if (c == null) {
                c = new Names(parser, this, _nestingDepth + 1, type, lineNr, colNr);
                _child = c;
            } else {
                c.reset(type, lineNr, colNr);
                c.start = start + count;
            }
            return c;
        }

        @Override
        public void reset(int type, int lineNr, int colNr) {
            super.reset(type, lineNr, colNr);
            count = 0;
            hashBits = 0;
            many = null;
        }

        @Override
        public void setCurrentName(String name) throws JsonParseException {
            _currentName = name;
            if (many != null) {
                if (!many.add(name)) {
                    throw duplicate(name);
                }
                return;
            }
            String[] names = parser.names;
            int end = start + count;
            // One bit per name hash (names are canonical, their hashes cached): a name whose bit is
            // new cannot be a repeat, so most names are never compared with the others.
            long bit = 1L << name.hashCode();
            if ((hashBits & bit) != 0) {
                for (int i = start; i < end; i++) {
                    if (names[i].equals(name)) {
                        throw duplicate(name);
                    }
                }
            }
            hashBits |= bit;
            if (count == SCAN_LIMIT) {
                // The slice stays as it is, so the nested objects' slices still begin after it.
                many = new HashSet<>(Arrays.asList(names).subList(start, end));
                many.add(name);
                return;
            }
            if (end == names.length) {
                names = Arrays.copyOf(names, end * 2);
                parser.names = names;
            }
            names[end] = name;
            count++;
        }

        private JsonParseException duplicate(String name) {
            return new JsonParseException(parser, "Duplicate field '" + name + "'");
        }
    }
}
