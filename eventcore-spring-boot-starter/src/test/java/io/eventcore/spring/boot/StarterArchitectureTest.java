package io.eventcore.spring.boot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spring stays in the starter: the library modules never see it, and the starter's packages form no cycle. */
class StarterArchitectureTest {
    private static JavaClasses classes;

    /** Each starter package is a slice, the root package included (a pattern would skip it). */
    private static final SliceAssignment BY_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            return pkg.startsWith("io.eventcore.spring.boot") ? SliceIdentifier.of(pkg) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "starter packages";
        }
    };

    @BeforeAll
    static void importMainCode() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/eventcore-test/"))
                .importPackages("io.eventcore");
    }

    @Test
    void importedTheLibraryAndTheStarter() {
        assertThat(classes.containPackage("io.eventcore.routing")).isTrue();
        assertThat(classes.containPackage("io.eventcore.kafka")).isTrue();
        assertThat(classes.containPackage("io.eventcore.outbox.jdbc")).isTrue();
        assertThat(classes.containPackage("io.eventcore.spring.boot")).isTrue();
    }

    @Test
    void libraryModules_neverDependOnSpring() {
        noClasses().that().resideInAPackage("io.eventcore..").and().resideOutsideOfPackage("io.eventcore.spring..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..").check(classes);
    }

    @Test
    void starterPackages_haveNoCycles() {
        SlicesRuleDefinition.slices().assignedFrom(BY_PACKAGE).should().beFreeOfCycles().check(classes);
    }
}
