/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), logged into the
 * test WordPress through its real login form.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = new URL('../../..', import.meta.url).pathname;
export const ARTIFACTS = join(root, 'test', 'artifacts', 'e2e');
const DOCS = join(root, 'docs', 'screenshots');

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * Logs in through wp-login.php. Returns the origin WordPress itself uses (its siteurl may say
 * localhost where the harness says 127.0.0.1; cookies belong to the former).
 */
export async function logIn(browser: Browser, url: string, user: string, password: string): Promise<{ page: Page; origin: string }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Playground logs every cookie-less visitor in as admin; this cookie turns that off, so the form is really used.
  // The login form posts to siteurl (localhost) while the harness names 127.0.0.1; WordPress's
  // cookie check then misses its test cookie, so set it for both names as a browser would have.
  for (const host of [url, url.replace('127.0.0.1', 'localhost')]) {
    await context.addCookies([
      { name: 'playground_auto_login_already_happened', value: '1', url: host },
      { name: 'wordpress_test_cookie', value: 'WP%20Cookie%20check', url: host },
    ]);
  }
  const page = await context.newPage();
  // On a loaded machine WordPress once received this form with an empty password ("The password
  // field is empty"; the cause was not found). So what was typed is read back before the click, and
  // the form is loaded again, at most five times, when a field came out empty; any other refusal
  // fails at once.
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.goto(`${url}/wp-login.php`);
    await page.locator('#wp-submit').waitFor();
    await page.fill('#user_login', user);
    await page.fill('#user_pass', password);
    const filled = [await page.inputValue('#user_login'), await page.inputValue('#user_pass')];
    if (filled[0] !== user || filled[1] !== password) continue; // cleared under us: load the form again
    await page.click('#wp-submit');
    try {
      await page.waitForURL((u) => u.pathname.startsWith('/wp-admin/'), { timeout: 60_000 });
      return { page, origin: new URL(page.url()).origin };
    } catch (err) {
      const why = ((await page.locator('#login_error').textContent().catch(() => null)) ?? 'no error shown').trim();
      if (attempt < 5 && /field is empty/i.test(why)) continue;
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'login-failed.png') });
      throw new Error(`logging into WordPress as ${user} failed at ${page.url()}: ${why}`, { cause: err });
    }
  }
  throw new Error(`logging into WordPress as ${user}: the login form kept losing what was typed into it`);
}

/**
 * A full-page PNG in test/artifacts/e2e/ (git-ignored). With STOCKLINE_PUBLISH_SCREENSHOTS=1 it is
 * also copied to docs/screenshots/ for the README, so an ordinary test run leaves the tree clean.
 */
export async function shoot(page: Page, name: string, publish = true): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (publish && process.env.STOCKLINE_PUBLISH_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(file, join(DOCS, `wordpress-${name}.png`));
  }
}
