package io.eventcore.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathAvroSchemaStoreTest {
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Paid\",\"namespace\":\"acme\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    private static final String V2 = "{\"type\":\"record\",\"name\":\"Paid\",\"namespace\":\"acme\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"cents\",\"type\":\"long\",\"default\":0}]}";

    @TempDir
    Path dir;

    @Test
    void folderOnTheClasspath_loadsEveryAvscFile() {
        ClasspathAvroSchemaStore store = AvroSchemaStore.classpath("schemas/orders/");
        assertThat(store.schemas()).extracting(Schema::getFullName).containsExactlyInAnyOrder(
                "io.eventcore.avro.test.v1.OrderPlaced", "io.eventcore.avro.test.v2.OrderPlaced",
                "io.eventcore.avro.test.v3.OrderPlaced", "io.eventcore.avro.test.v4.OrderPlaced");
        Schema v2 = io.eventcore.avro.test.v2.OrderPlaced.getClassSchema();
        // The generated SCHEMA$ carries avro.java.string properties the .avsc lacks: same fingerprint.
        assertThat(store.findByFingerprint(AvroSchemaStore.fingerprint(v2)).getFullName()).isEqualTo(v2.getFullName());
        assertThat(store.findByFingerprint(42L)).isNull();
    }

    @Test
    void singleFile_loadsJustThatSchema() {
        assertThat(AvroSchemaStore.classpath("/schemas/orders/order-v1.avsc").schemas()).singleElement()
                .extracting(Schema::getFullName).isEqualTo("io.eventcore.avro.test.v1.OrderPlaced");
    }

    @Test
    void twoVersionsOfOneFullName_inOneFolder_areBothLoaded() throws IOException {
        Files.createDirectories(dir.resolve("avro/paid"));
        Files.writeString(dir.resolve("avro/paid/paid-v1.avsc"), V1);
        Files.writeString(dir.resolve("avro/paid/paid-v2.avsc"), V2);
        Files.writeString(dir.resolve("avro/paid/readme.txt"), "not a schema");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            ClasspathAvroSchemaStore store = ClasspathAvroSchemaStore.load(loader, "avro");
            assertThat(store.schemas()).hasSize(2);
            assertThat(store.findByFingerprint(AvroSchemaStore.fingerprint(new Schema.Parser().parse(V2)))).isNotNull();
        }
    }

    @Test
    void folderInsideAJar_isListed() throws IOException {
        Path jar = dir.resolve("schemas.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String folder : new String[] {"avro/", "avro/paid/", "avro/paid/nested/"}) {
                out.putNextEntry(new JarEntry(folder)); // as jar tools write them
                out.closeEntry();
            }
            put(out, "avro/paid/paid-v1.avsc", V1);
            put(out, "avro/paid/nested/paid-v2.avsc", V2);
            put(out, "avro/other.avsc", "{\"type\":\"enum\",\"name\":\"X\",\"symbols\":[\"A\"]}");
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            assertThat(ClasspathAvroSchemaStore.load(loader, "avro/paid").schemas()).hasSize(2);
            assertThat(ClasspathAvroSchemaStore.load(loader, "avro").schemas()).hasSize(3);
        }
    }

    private static void put(JarOutputStream out, String name, String content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        OutputStream body = out;
        body.write(content.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }

    @Test
    void missingLocations_emptyFolders_andInvalidSchemas_areRejectedAtOnce() throws IOException {
        assertThatThrownBy(() -> AvroSchemaStore.classpath("no/such/folder"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no/such/folder");
        assertThatThrownBy(() -> AvroSchemaStore.classpath("no/such.avsc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no/such.avsc");
        assertThatThrownBy(() -> AvroSchemaStore.classpath())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        Files.createDirectories(dir.resolve("empty"));
        Files.createDirectories(dir.resolve("bad"));
        Files.writeString(dir.resolve("bad/broken.avsc"), "{\"type\":\"record\",\"name\":");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThatThrownBy(() -> ClasspathAvroSchemaStore.load(loader, "empty"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no .avsc");
            assertThatThrownBy(() -> ClasspathAvroSchemaStore.load(loader, "bad"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broken.avsc");
        }
    }

    @Test
    void register_acceptsKnownSchemas_andRejectsOthers() {
        ClasspathAvroSchemaStore store = AvroSchemaStore.classpath("schemas/orders/order-v1.avsc");
        Schema v1 = io.eventcore.avro.test.v1.OrderPlaced.getClassSchema();
        assertThat(store.register(v1)).isEqualTo(AvroSchemaStore.fingerprint(v1));
        assertThatThrownBy(() -> store.register(io.eventcore.avro.test.v2.OrderPlaced.getClassSchema()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("read-only");
    }

    @Test
    void inMemoryStore_keepsTheFirstSchemaOfAFingerprint() {
        Schema withDoc = new Schema.Parser().parse(V2.replace("\"name\":\"Paid\",", "\"name\":\"Paid\",\"doc\":\"d\","));
        Schema plain = new Schema.Parser().parse(V2);
        InMemoryAvroSchemaStore store = AvroSchemaStore.inMemory(withDoc);
        assertThat(store.register(plain)).isEqualTo(AvroSchemaStore.fingerprint(withDoc));
        assertThat(store.schemas()).singleElement().isSameAs(withDoc);
    }
}
