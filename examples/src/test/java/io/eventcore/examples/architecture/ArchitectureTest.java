package io.eventcore.examples.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture as rules over the compiled main code of every eventcore module (this module
 * sees them all): packages by concern without cycles, the api free of Kafka and JDBC, Micrometer
 * in one package (and wired by the starter), Spring only in the starter and the examples, internals
 * used only by the library itself, router stages hidden.
 */
class ArchitectureTest {
    /** The packages of eventcore-api: the model at the root and one package per concern. */
    static final String[] API_PACKAGES = {"io.eventcore", "io.eventcore.routing", "io.eventcore.retry",
        "io.eventcore.deadletter", "io.eventcore.codec", "io.eventcore.transport", "io.eventcore.outbox",
        "io.eventcore.micrometer", "io.eventcore.internal", "io.eventcore.transport.internal", "io.eventcore.inbox",
        "io.eventcore.validation", "io.eventcore.observation"};

    private static JavaClasses library;

    @BeforeAll
    static void importMainCode() {
        library = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.eventcore");
    }

    /** Each Java package is its own slice, the root package included (a pattern would skip it). */
    private static final SliceAssignment BY_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            return pkg.startsWith("io.eventcore") ? SliceIdentifier.of(pkg) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "eventcore packages";
        }
    };

    @Test
    void importedEveryModule() {
        Set<String> packages = new TreeSet<>();
        library.forEach(c -> packages.add(c.getPackageName()));
        assertThat(packages).contains(API_PACKAGES).contains("io.eventcore.kafka", "io.eventcore.outbox.jdbc",
                "io.eventcore.test", "io.eventcore.examples", "io.eventcore.avro",
                "io.eventcore.protobuf", "io.eventcore.spring.boot", "io.eventcore.examples.spring");
    }

    @Test
    void packages_haveNoCycles() {
        SlicesRuleDefinition.slices().assignedFrom(BY_PACKAGE).should().beFreeOfCycles().check(library);
    }

    @Test
    void api_dependsOnNeitherKafkaNorJdbc() {
        noClasses().that().resideInAnyPackage(API_PACKAGES).should().dependOnClassesThat()
                .resideInAnyPackage("org.apache.kafka..", "java.sql..", "javax.sql..").check(library);
    }

    @Test
    void micrometer_isImportedOnlyByTheMicrometerPackage() {
        // The starter only hands the application's MeterRegistry bean to MicrometerMetrics.
        noClasses().that().resideInAPackage("io.eventcore..").and().resideOutsideOfPackage("io.eventcore.micrometer..")
                .and().resideOutsideOfPackage("io.eventcore.spring.boot..")
                .should().dependOnClassesThat().resideInAPackage("io.micrometer..").check(library);
    }

    @Test
    void spring_appearsOnlyInTheStarterAndTheExamples() {
        noClasses().that().resideInAPackage("io.eventcore..").and().resideOutsideOfPackage("io.eventcore.spring..")
                .and().resideOutsideOfPackage("io.eventcore.examples..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..").check(library);
    }

    @Test
    void internals_areUsedOnlyByTheLibrary_neverByApplicationCode() {
        noClasses().that().resideInAnyPackage("io.eventcore.examples..", "io.eventcore.benchmarks..")
                .should().dependOnClassesThat().resideInAPackage("..internal..").check(library);
    }

    @Test
    void publishedApi_neverExposesInternalTypesInPublicSignatures() {
        // A public method of a public API type must not take or return an internal type, or users
        // would have to import internals to call it.
        noClasses().that().resideOutsideOfPackage("..internal..").and().arePublic()
                .should(new PublicSignatureCondition()).check(library);
    }

    @Test
    void routerStages_arePackagePrivate() {
        classes().that().resideInAPackage("io.eventcore.routing").and().haveSimpleNameEndingWith("Stage")
                .should().notHaveModifier(JavaModifier.PUBLIC).check(library);
    }
}
