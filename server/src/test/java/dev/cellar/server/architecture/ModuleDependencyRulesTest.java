package dev.cellar.server.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleDependencyRulesTest {
    private static final String FIXTURE_ROOT = "dev.cellar.server.architecture.fixture";

    @Test
    void everyModuleKeepsToItsAllowedDependencies() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.cellar");
        assertThat(classes.stream().map(c -> c.getPackageName()).distinct())
                .as("the rules must see the main classes of the modules")
                .anyMatch(p -> p.startsWith("dev.cellar.core"))
                .anyMatch(p -> p.startsWith("dev.cellar.config"))
                .anyMatch(p -> p.startsWith("dev.cellar.restore"))
                .anyMatch(p -> p.startsWith("dev.cellar.testkit"));
        for (ArchRule rule : ModuleDependencyRules.rules("dev.cellar")) {
            rule.check(classes);
        }
    }

    @Test
    void aWrongImportFailsWithTheReason() {
        JavaClasses fixture = new ClassFileImporter().importPackages(FIXTURE_ROOT);

        List<EvaluationResult> violated = ModuleDependencyRules.rules(FIXTURE_ROOT).stream()
                .map(rule -> rule.evaluate(fixture)).filter(EvaluationResult::hasViolation).toList();

        assertThat(violated).hasSize(1);
        assertThat(violated.getFirst().getFailureReport().toString())
                .contains("core holds PostgreSQL facts as pure value types")
                .contains(FIXTURE_ROOT + ".core.CoreClassImportingStorage")
                .contains(FIXTURE_ROOT + ".storage.StoredThing");
    }

    @Test
    void everyModuleHasARuleAndAReason() {
        assertThat(ModuleDependencyRules.ALLOWED).containsOnlyKeys("core", "config", "storage", "catalog",
                "walreceiver", "retention", "restore", "testkit", "server");
        assertThat(ModuleDependencyRules.rules("dev.cellar")).hasSize(9)
                .allSatisfy(rule -> assertThat(rule.getDescription()).contains("because").contains("allowed:"));
    }
}
