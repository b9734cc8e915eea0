"""``keras-gans serve`` driven as a person would, in a real headless Chromium
(Debian's ``chromium`` + ``chromium-driver``, through Selenium with the
driver's path given: Selenium Manager downloads nothing): set a seed on the
generate page, upload a photo on the translate and upscale pages, download
each result and compare it with the CLI's output pixel for pixel; upload
the bad files and read the page's messages; check that the page fetched
nothing from anywhere but the server.

Runs in one backend pass (``KERAS_GANS_BROWSER_BACKEND``, default torch):
the API tests (test_serve.py) cover every backend. With
``KERAS_GANS_SCREENSHOT=docs/serve.png`` it also saves a screenshot of the
upscale page for the README.
"""

import json
import os
import time
from pathlib import Path

import keras
import numpy as np
import pytest

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
BACKEND = os.environ.get("KERAS_GANS_BROWSER_BACKEND", "torch")

if keras.backend.backend() != BACKEND:
    pytest.skip(f"the browser test runs in the {BACKEND} pass only (KERAS_GANS_BROWSER_BACKEND); "
                "test_serve.py checks every backend", allow_module_level=True)
if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
    pytest.skip(f"{CHROMIUM} or {DRIVER} is absent: apt-get install chromium chromium-driver "
                "(.ci/run installs them)", allow_module_level=True)
pytest.importorskip("selenium", reason="the browser test needs selenium (the 'dev' extra)")
pytest.importorskip("starlette", reason="keras-gans serve needs the 'serve' extra (starlette, uvicorn)")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402
from serve_files import bad_files, cli, photo, pixels, png16  # noqa: E402


@pytest.fixture(scope="module")
def server():
    from keras_gans.serve import create_app, start

    url, stop = start(create_app(["dcgan_mnist", "cdcgan_mnist", "cyclegan_apple2orange", "srresnet_x4"]))
    yield url
    stop()


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.get(server)
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "tab-upscale"))
    driver.downloads = downloads
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_files")
    return {"photo": photo(folder / "photo.png"), "bad": bad_files(folder), "png16": png16(folder / "grey16.png")}


def tab(driver, kind, entry):
    driver.find_element(By.ID, f"tab-{kind}").click()
    page = driver.find_element(By.ID, f"page-{kind}")
    Select(page.find_element(By.NAME, "entry")).select_by_value(entry)
    return page


def fill(page, **values):
    for name, value in values.items():
        field = page.find_element(By.CSS_SELECTOR, f".fields [name={name}]")
        if field.tag_name == "select":
            Select(field).select_by_value(str(value))
        else:
            field.clear()
            field.send_keys(str(value))


def run(driver, kind, timeout=300):
    """Click the page's button; the status line once the job ended."""
    status = driver.find_element(By.ID, f"status-{kind}")
    driver.execute_script("arguments[0].textContent = ''; arguments[0].className = 'status'", status)
    driver.find_element(By.ID, f"run-{kind}").click()
    seen = set()

    def ended(d):  # the text and its class read at once: the page may change them between two reads
        text, cls = d.execute_script("return [arguments[0].textContent, arguments[0].className]", status)
        seen.add(text.split(":")[0].rstrip("…"))
        return text if text.startswith("Done") or "error" in cls else False

    text = WebDriverWait(driver, timeout, poll_frequency=0.1).until(ended)
    return text, seen


def download(driver, kind):
    """Click the page's download link; the downloaded file's pixels."""
    link = driver.find_element(By.ID, f"download-{kind}")
    name = link.get_attribute("download")
    target = driver.downloads / name
    target.unlink(missing_ok=True)
    link.click()
    WebDriverWait(driver, 30).until(lambda d: target.is_file() and not Path(f"{target}.crdownload").exists())
    time.sleep(0.2)
    return pixels(target)


def upload(page, path):
    field = page.find_element(By.CSS_SELECTOR, "input[type=file]")
    field.clear()
    field.send_keys(str(path))


def test_generate_page(browser, tmp_path):
    page = tab(browser, "generate", "cdcgan_mnist")
    fill(page, n=6, seed=42, label=4)
    text, _ = run(browser, "generate")
    assert text.startswith("Done in ")
    ref = cli("generate", "cdcgan_mnist", "-n", 6, "--seed", 42, "--label", 4, "-o", tmp_path / "g.png")
    assert np.array_equal(download(browser, "generate"), ref)
    card = page.find_element(By.CSS_SELECTOR, ".card").text
    from keras_gans import zoo

    info = zoo.info("cdcgan_mnist")
    assert info["licence"] in card and info["limits"][0] in card and "Trained on" in card


def test_translate_page(browser, files, tmp_path):
    page = tab(browser, "translate", "cyclegan_apple2orange")
    upload(page, files["photo"])
    fill(page, direction="a2b", size=96)
    text, _ = run(browser, "translate")
    assert text.startswith("Done in ")
    ref = cli("translate", "cyclegan_apple2orange", files["photo"], "--size", 96, "-o", tmp_path / "t.png")
    assert np.array_equal(download(browser, "translate"), ref)


def test_upscale_page_and_bad_uploads(browser, files, tmp_path):
    page = tab(browser, "upscale", "srresnet_x4")
    for name, (path, message) in files["bad"].items():
        upload(page, path)
        text, _ = run(browser, "upscale")
        assert text.startswith(message), (name, text)
    upload(page, files["png16"])  # 16-bit: read, and upscaled as grey
    text, _ = run(browser, "upscale")
    assert text.startswith("Done in "), text
    assert np.array_equal(download(browser, "upscale"),
                          cli("upscale", "srresnet_x4", files["png16"], "-o", tmp_path / "g16.png"))
    upload(page, files["photo"])
    text, seen = run(browser, "upscale")
    # the status shows for at least 250 ms (the page's polling period) what the job is doing
    assert text.startswith("Done in ") and seen & {"Queued, position 1", "Running"}, (text, seen)
    assert np.array_equal(download(browser, "upscale"),
                          cli("upscale", "srresnet_x4", files["photo"], "-o", tmp_path / "u.png"))
    after = page.find_element(By.CSS_SELECTOR, ".compare img.after")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", after) == 256
    shot = os.environ.get("KERAS_GANS_SCREENSHOT")
    if shot:
        upload(page, astronaut(tmp_path / "astronaut_lr.png"))
        assert run(browser, "upscale")[0].startswith("Done in ")
        WebDriverWait(browser, 30).until(lambda d: d.execute_script(
            "const i = document.querySelector('.compare img.after'); return i.complete && i.naturalWidth"))
        save_screenshot(browser, Path(shot))


def test_the_page_fetched_nothing_from_elsewhere(browser, server):
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert urls and all(u.startswith(server + "/") or u.startswith(("data:", "blob:")) for u in urls), [
        u for u in urls if not u.startswith(server)]


def astronaut(path):
    """For the README's screenshot: scikit-image's astronaut (NASA, public
    domain), her face cropped and shrunk to 80x80 (bicubic)."""
    from PIL import Image

    skimage_data = pytest.importorskip("skimage.data", reason="the screenshot's photo comes from scikit-image")
    Image.fromarray(skimage_data.astronaut()[20:260, 100:340]).resize((80, 80), Image.BICUBIC).save(path)
    return path


def save_screenshot(driver, path):
    """The window as a small PNG (a 256-colour palette)."""
    from io import BytesIO

    from PIL import Image

    im = Image.open(BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    im.quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)
