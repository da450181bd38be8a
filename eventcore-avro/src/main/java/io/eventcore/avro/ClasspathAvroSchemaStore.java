package io.eventcore.avro;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * A read-only {@link AvroSchemaStore} of {@code .avsc} files on the classpath, loaded once when it
 * is made. Ship every schema version your producers write (old and new) in a schema jar, point the
 * store at its folder, and a consumer resolves any of them.
 *
 * <ul>
 *   <li>A location ending in {@code .avsc} is one file; any other location is a folder, searched
 *       recursively for {@code *.avsc} in every classpath entry that has it (directories and
 *       jars).</li>
 *   <li>Each file is parsed on its own, so it must be self-contained (named types it uses are
 *       defined in it), and two files may define two versions of the same full name.</li>
 *   <li>A file may hold one schema or a JSON array of schemas (each is added).</li>
 * </ul>
 *
 * <p>{@link #register(Schema)} adds nothing: it accepts a schema the store already has and
 * rejects any other, so an {@link AvroEventCodec} built on this store refuses to encode with a
 * schema that consumers sharing the same files could not find.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClasspathAvroSchemaStore implements AvroSchemaStore {
    private static final String SUFFIX = ".avsc";

    private final Map<Long, Schema> schemas;
    private final List<String> locations;

    private ClasspathAvroSchemaStore(Map<Long, Schema> schemas, List<String> locations) {
        this.schemas = Collections.unmodifiableMap(schemas);
        this.locations = List.copyOf(locations);
    }

    /**
     * Loads the {@code .avsc} files at the given locations.
     *
     * @param loader the class loader whose resources are searched, not {@code null}
     * @param locations resource paths (no leading {@code /}) of {@code .avsc} files or of folders
     *        holding them; at least one
     * @return the store
     * @throws IllegalArgumentException if no location is given, a location is not on the classpath,
     *         holds no {@code .avsc} file, or a file is not a valid schema
     * @throws UncheckedIOException if a resource cannot be read
     */
    public static ClasspathAvroSchemaStore load(ClassLoader loader, String... locations) {
        Objects.requireNonNull(loader, "loader");
        if (locations.length == 0) {
            throw new IllegalArgumentException("locations must name at least one .avsc file or folder, but was empty");
        }
        Map<Long, Schema> schemas = new LinkedHashMap<>();
        for (String location : locations) {
            String path = normalize(location);
            int before = schemas.size();
            try {
                if (path.endsWith(SUFFIX)) {
                    loadFile(loader, path, schemas);
                } else {
                    loadFolder(loader, path, schemas);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Avro schemas at classpath location '" + path + "'", e);
            }
            if (schemas.size() == before && !path.endsWith(SUFFIX)) {
                throw new IllegalArgumentException("classpath location '" + path + "' holds no " + SUFFIX + " file");
            }
        }
        return new ClasspathAvroSchemaStore(schemas, List.of(locations));
    }

    private static String normalize(String location) {
        Objects.requireNonNull(location, "location");
        String path = location.startsWith("/") ? location.substring(1) : location;
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.isBlank()) {
            throw new IllegalArgumentException("location must not be blank, but was '" + location + "'");
        }
        return path;
    }

    private static void loadFile(ClassLoader loader, String path, Map<Long, Schema> into) throws IOException {
        URL url = loader.getResource(path);
        if (url == null) {
            throw new IllegalArgumentException("no classpath resource '" + path + "'");
        }
        try (InputStream in = url.openStream()) {
            add(parse(in, url.toString()), into);
        }
    }

    private static void loadFolder(ClassLoader loader, String path, Map<Long, Schema> into) throws IOException {
        List<URL> roots = Collections.list(loader.getResources(path));
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("no classpath folder '" + path + "'");
        }
        for (URL root : roots) {
            if ("file".equals(root.getProtocol())) {
                loadDirectory(toPath(root), into);
            } else if ("jar".equals(root.getProtocol())) {
                loadJarFolder(root, path, into);
            } else {
                throw new IllegalArgumentException("cannot list classpath folder " + root
                        + ": only directories and jars can be listed; name the .avsc files instead");
            }
        }
    }

    private static Path toPath(URL url) {
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a file URL: " + url, e);
        }
    }

    private static void loadDirectory(Path dir, Map<Long, Schema> into) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .sorted().toList();
        }
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                add(parse(in, file.toString()), into);
            }
        }
    }

    private static void loadJarFolder(URL root, String path, Map<Long, Schema> into) throws IOException {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
            List<JarEntry> entries = jar.stream()
                    .filter(e -> !e.isDirectory() && e.getName().startsWith(path + "/") && e.getName().endsWith(SUFFIX))
                    .sorted((a, b) -> a.getName().compareTo(b.getName()))
                    .toList();
            for (JarEntry entry : entries) {
                try (InputStream in = jar.getInputStream(entry)) {
                    add(parse(in, root + "!/" + entry.getName()), into);
                }
            }
        }
    }

    private static Schema parse(InputStream in, String source) throws IOException {
        String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        try {
            // A fresh parser per file: files are self-contained, and versions may share a full name.
            return new Schema.Parser().parse(json);
        } catch (AvroRuntimeException e) {
            throw new IllegalArgumentException("not a valid Avro schema: " + source + ": " + e.getMessage(), e);
        }
    }

    private static void add(Schema schema, Map<Long, Schema> into) {
        if (schema.getType() == Schema.Type.UNION) {
            schema.getTypes().forEach(s -> into.putIfAbsent(AvroSchemaStore.fingerprint(s), s));
        } else {
            into.putIfAbsent(AvroSchemaStore.fingerprint(schema), schema);
        }
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return schemas.get(fingerprint);
    }

    /**
     * Accepts a schema this store already has (by fingerprint); adds nothing.
     *
     * @param schema the schema, not {@code null}
     * @return its fingerprint
     * @throws UnsupportedOperationException if the schema is not among the loaded files
     */
    @Override
    public long register(Schema schema) {
        long fingerprint = AvroSchemaStore.fingerprint(Objects.requireNonNull(schema, "schema"));
        if (!schemas.containsKey(fingerprint)) {
            throw new UnsupportedOperationException("schema " + schema.getFullName() + " (fingerprint "
                    + Long.toHexString(fingerprint) + ") is not in the .avsc files at " + locations
                    + "; this store is read-only: add the schema file to the classpath");
        }
        return fingerprint;
    }

    /** @return the loaded schemas, in load order (files sorted by path within each location) */
    public List<Schema> schemas() {
        return List.copyOf(schemas.values());
    }

    @Override
    public String toString() {
        return "ClasspathAvroSchemaStore" + locations + "[" + schemas.size() + " schemas]";
    }
}
