package dev.seckill.service.admin;

import dev.seckill.service.TestPlatform;
import dev.seckill.service.store.StoreConfiguration.StoreLocation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser (Debian's headless Chromium through chromedriver) against the
 * whole platform on its embedded default: the page asks for the admin token, a sale is created
 * through its form, buyers buy through the HTTP API, and the page shows the counts change.
 * Leaves a screenshot in {@code target/dashboard-test.png}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static TestPlatform platform;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws IOException {
        for (String exe : new String[] {CHROMIUM, CHROMEDRIVER}) {
            assertThat(Path.of(exe)).as("%s is missing: apt-get install chromium chromium-driver", exe).isExecutable();
        }
        platform = TestPlatform.start(dir.resolve("platform"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")),
                "--window-size=1440,1000");
        // the page's console, to catch script errors
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1440, 1000));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void anOperatorCreatesASaleAndWatchesItSell() throws IOException {
        // the page is public, its data needs the admin token
        assertThat(platform.get("/admin/", null).status()).isEqualTo(200);
        assertThat(platform.get("/admin/api/overview", null).status()).isEqualTo(401);
        assertThat(platform.get("/admin/api/overview", TestPlatform.SERVICE_TOKEN).status()).isEqualTo(403);
        assertThat(platform.post("/admin/api/reconciliations", TestPlatform.SERVICE_TOKEN, null).status()).isEqualTo(403);

        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        browser.get("http://127.0.0.1:" + platform.port() + "/admin/");

        // the static page needs no token; its data does: it asks, and says where to find one
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-dialog")));
        assertThat(dialog.getText()).contains("SECKILL_ADMIN_TOKEN").contains("admin token");
        enterToken(TestPlatform.SERVICE_TOKEN);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("token-error"), "refused"));
        enterToken(TestPlatform.ADMIN_TOKEN);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-dialog")));
        wait.until(ExpectedConditions.textToBe(By.id("pill-service"), "service: up"));
        wait.until(ExpectedConditions.textToBe(By.id("pill-store"), "store: leader"));
        wait.until(ExpectedConditions.textToBe(By.id("pill-sync"), "sync: running"));

        // create a sale through the form
        String sale = TestPlatform.unique("browser-sale");
        createSale(sale, "20");
        wait.until(ExpectedConditions.textToBe(By.id("create-sale-result"), "created " + sale));
        By row = By.id("sale-" + sale);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "20 = 20 available + 0 reserved + 0 sold"));
        assertThat(platform.stock(sale)).containsExactly(20, 20, 0, 0);
        // the API's refusal is shown, and nothing changes
        createSale(sale, "99");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("create-sale-result"), "SALE_EXISTS"));
        assertThat(platform.stock(sale)).containsExactly(20, 20, 0, 0);

        // buyers buy through the HTTP API; one of them pays (confirms)
        String firstOrder = null;
        for (int buyer = 1; buyer <= 7; buyer++) {
            TestPlatform.Answer a = platform.buy(sale, "key-" + buyer, "buyer-" + buyer, 2);
            assertThat(a.status()).as("buy %d: %s", buyer, a).isEqualTo(201);
            if (firstOrder == null) {
                firstOrder = a.text("orderId");
            }
        }
        assertThat(platform.post("/api/v1/orders/" + firstOrder + "/confirm", TestPlatform.SERVICE_TOKEN, null).status())
                .isEqualTo(200);
        // a buyer over the limit is refused: the chart counts it as purchase_limit
        assertThat(platform.buy(sale, "key-over", "buyer-1", 1).status()).isEqualTo(403);

        wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "20 = 6 available + 12 reserved + 2 sold"));
        wait.until(ExpectedConditions.textToBe(By.id("m-created-5m"), "7"));
        wait.until(d -> !d.findElement(By.id("m-p50")).getText().equals("–"));
        wait.until(d -> legendTotal("purchase_limit").equals("1"));
        WebElement bar = browser.findElement(row).findElement(By.cssSelector(".seg-reserved"));
        assertThat(bar.getAttribute("style")).contains("width: 60%");

        // restock through the row's form
        WebElement restock = browser.findElement(row).findElement(By.name("delta"));
        restock.sendKeys("5");
        browser.findElement(row).findElement(By.cssSelector(".restock button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "25 = 11 available + 12 reserved + 2 sold"));

        // the sync writes the sales to the database; a reconciliation finds them consistent
        wait.until(d -> !d.findElement(By.id("m-sync-lag")).getText().equals("–"));
        browser.findElement(By.id("recon-run")).click();
        wait.until(ExpectedConditions.textMatches(By.id("recon-result"), java.util.regex.Pattern.compile("done: .*|.*: .*")));
        assertThat(browser.findElement(By.id("recon-result")).getText()).isEqualTo("done: consistent");
        assertThat(browser.findElement(By.id("recon-last")).getText()).contains("consistent").contains("SKUs");

        screenshot("dashboard-test.png");
        assertNoScriptErrors();
    }

    /** Runs last: it takes the platform down, first the store, then the whole service. */
    @Test
    @Order(2)
    void showsPlainlyWhenTheStoreAndThenTheServiceAreDown() throws IOException {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        if (!browser.getCurrentUrl().contains("/admin/")) { // run alone: open the page with the token
            browser.get("http://127.0.0.1:" + platform.port() + "/admin/");
            enterToken(TestPlatform.ADMIN_TOKEN);
        }
        wait.until(ExpectedConditions.textToBe(By.id("pill-store"), "store: leader"));

        platform.bean(StoreLocation.class).embedded().close();
        wait.until(ExpectedConditions.textToBe(By.id("pill-store"), "store: down"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("banner"), "The counter-store does not answer"));
        assertThat(browser.findElement(By.id("pill-service")).getText()).isEqualTo("service: up");
        // the sales still show, from the database, with their stock marked unknown
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr.sale"), "stock unknown"));

        platform.close();
        wait.until(ExpectedConditions.textToBe(By.id("pill-service"), "service: unreachable"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("banner"), "The service does not answer"));
        assertThat(browser.findElement(By.id("dashboard")).getAttribute("class")).contains("stale");
        screenshot("dashboard-test-down.png");
    }

    /** Refused calls (401, 403, 409 above) are logged by the browser as failed loads; anything else is a bug. */
    private static void assertNoScriptErrors() {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource"))
                .toList();
        assertThat(errors).as("errors in the page's console").isEmpty();
    }

    private static void createSale(String id, String stock) {
        WebElement form = browser.findElement(By.id("create-sale"));
        for (String field : new String[] {"id", "sku", "stock", "perUserLimit"}) {
            form.findElement(By.name(field)).clear();
        }
        form.findElement(By.name("id")).sendKeys(id);
        form.findElement(By.name("sku")).sendKeys(id + "-sku");
        form.findElement(By.name("stock")).sendKeys(stock);
        form.findElement(By.name("perUserLimit")).sendKeys("2");
        form.findElement(By.cssSelector("button[type=submit]")).click();
    }

    private static void enterToken(String token) {
        WebElement input = browser.findElement(By.id("token-input"));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
    }

    /** Purchases with this outcome over the chart's 5 minutes, as the legend keeps them. */
    private static String legendTotal(String outcome) {
        return browser.findElement(By.cssSelector("#legend [data-outcome=" + outcome + "]")).getAttribute("data-total");
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
