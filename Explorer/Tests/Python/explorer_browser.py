"""Drives the explorer page in Debian's headless Chromium through chromedriver (WebDriver).

    explorer_browser.py URL SCREENSHOT.png EXPECTED.json

EXPECTED holds what the library draws for sin(x)*x: {"nodes": {"1": N1, "2": N2}, "value": f(1.5),
"infix": "x*sin(x)"}.  The script types the expression, checks the number of drawn nodes at
order 1 and 2, steps through the simplifier's trace, reads a node's value by hovering it, goes
back with the browser's back button, saves a screenshot and prints what it saw as JSON.
Nothing here downloads a browser or a driver: both come from Debian's packages.
"""

import json
import os
import re
import sys

os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

url, screenshot, expected_path = sys.argv[1], sys.argv[2], sys.argv[3]
expected = json.load(open(expected_path))

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--window-size=1400,900", "--hide-scrollbars"):
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 30)
seen = {}


def drawn_nodes():
    """The number of graph nodes in the picture (groups titled n<id>, not the output tags)."""
    return driver.execute_script(
        "return [...document.querySelectorAll('#view g.node title')]"
        ".filter(t => /^n\\d+$/.test(t.textContent)).length")


def settled():
    return driver.execute_script(
        "return !document.querySelector('#view').classList.contains('stale')"
        " && document.querySelector('#view svg') !== null")


def errors():
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


try:
    driver.get(url)
    source = driver.find_element(By.ID, "source")
    source.send_keys("sin(x)*x")
    driver.find_element(By.ID, "grad").send_keys("x")
    order = driver.find_element(By.ID, "order")
    order.clear()
    order.send_keys("1")
    source.send_keys(Keys.ENTER)
    wait.until(lambda d: settled() and drawn_nodes() == expected["nodes"]["1"])
    seen["order1_nodes"] = drawn_nodes()
    seen["order1_url"] = driver.current_url

    order.clear()
    order.send_keys("2")
    driver.find_element(By.ID, "draw").click()
    wait.until(lambda d: "order=2" in d.current_url and settled()
               and drawn_nodes() == expected["nodes"]["2"])
    seen["order2_nodes"] = drawn_nodes()
    seen["order_toggles"] = len(driver.find_elements(By.CSS_SELECTOR, "#orders input"))

    point = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#point input[data-variable='x']"))
    point.send_keys("1.5")
    point.send_keys(Keys.TAB)
    wait.until(lambda d: "at=x:1.5" in d.current_url and settled())
    values = []
    for group in driver.find_elements(By.CSS_SELECTOR, "#view g.node"):
        ActionChains(driver).move_to_element(group).perform()
        infix = driver.find_element(By.ID, "hover-infix").text
        value = driver.find_element(By.ID, "hover-value").text
        values.append({"infix": infix, "value": value,
                       "adjoint": driver.find_element(By.ID, "hover-adjoint").text})
        if infix == expected["infix"]:
            break
    seen["hovered"] = values[-1]

    driver.find_element(By.ID, "trace-load").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#firings li")) > 0
               and d.find_elements(By.CSS_SELECTOR, "#trace-view svg"))
    seen["firings"] = len(driver.find_elements(By.CSS_SELECTOR, "#firings li"))
    seen["step_label_0"] = driver.find_element(By.ID, "trace-label").text
    driver.find_element(By.ID, "trace-next").click()
    wait.until(lambda d: d.find_element(By.ID, "trace-label").text.startswith("step 2 "))
    seen["step_label_1"] = driver.find_element(By.ID, "trace-label").text
    seen["step_url"] = driver.current_url
    seen["highlighted"] = len(driver.find_elements(
        By.CSS_SELECTOR, "#trace-view g.node.removed, #trace-view g.node.added"))

    # Hover the f output again for the screenshot, then save it.
    for group in driver.find_elements(By.CSS_SELECTOR, "#view g.node"):
        ActionChains(driver).move_to_element(group).perform()
        if driver.find_element(By.ID, "hover-infix").text == expected["infix"]:
            break
    driver.save_screenshot(screenshot)

    driver.back()
    wait.until(lambda d: "step=0" in d.current_url
               and d.find_element(By.ID, "trace-label").text.startswith("step 1 "))
    seen["back_url"] = driver.current_url
    seen["back_label"] = driver.find_element(By.ID, "trace-label").text

    # Past the page's node limit: the summary, and buttons for what draws it node by node.
    driver.get(url.rstrip("/") + "/?expr=sin(x*y)*exp(x)&grad=x,y&order=6&nodes=200")
    wait.until(lambda d: settled() and d.find_element(By.ID, "advice").is_displayed())
    seen["advice"] = driver.find_element(By.ID, "advice").text
    seen["summary_nodes"] = driver.execute_script(
        "return [...document.querySelectorAll('#view g.node title')]"
        ".filter(t => /^o\\d+$/.test(t.textContent)).length")
    # The size chart's legend: the peers' curves are tanh's, labelled so, beside this graph's.
    seen["chart_legend"] = driver.execute_script(
        "return [...document.querySelectorAll('#chart text')].map(t => t.textContent)"
        ".filter(t => t.includes(': '));")
    # The x = … and y = … fields: the room between one field and the next label.
    seen["point_gap"] = driver.execute_script(
        "const l = [...document.querySelectorAll('#point label')];"
        "return l[1].getBoundingClientRect().left"
        " - l[0].querySelector('input').getBoundingClientRect().right;")
    driver.find_element(By.CSS_SELECTOR, "#advice button[data-collapse='outputs']").click()
    wait.until(lambda d: "collapse=outputs" in d.current_url and settled()
               and not d.find_element(By.ID, "advice").is_displayed())
    groups = [g for g in driver.find_elements(By.CSS_SELECTOR, "#view g.node.group")]
    seen["groups"] = len(groups)
    driver.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", groups[0])
    wait.until(lambda d: "expand=" in d.current_url and settled())
    seen["expanded_url"] = driver.current_url
    seen["groups_after"] = len(driver.find_elements(By.CSS_SELECTOR, "#view g.node.group"))
    seen["console_errors"] = errors()
finally:
    driver.quit()

print(json.dumps(seen))
