package dev.cellar.catalog;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh catalog in a temporary directory for each test. */
abstract class CatalogTestBase {
    @TempDir
    Path dir;

    Catalog catalog;

    @BeforeEach
    void openCatalog() {
        catalog = Catalog.open(dir.resolve("cellar.db"));
    }

    @AfterEach
    void closeCatalog() {
        catalog.close();
    }
}
