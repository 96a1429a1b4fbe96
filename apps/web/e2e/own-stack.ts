// A stack of a browser test file's own (api, worker, web on its own PostgreSQL schema, Redis prefix
// and blob directory), for tests that seed through the engine and count rows directly. The web
// build is the one the suite's global setup keeps fresh.
import type { Browser, Page } from 'playwright-core';
import { createTestEnv, ensureWebBuild, startEnvStack, type Stack, type TestEnv } from '@dataengine/testing';
import { fillLogin } from './browser';

export interface OwnStack {
  env: TestEnv;
  stack: Stack;
  close(): Promise<void>;
}


/** The isolated installation first (seed it before or after starting), then the processes. */
export async function createOwnEnv(): Promise<TestEnv> {
  return createTestEnv({ LOG_LEVEL: 'info' }); // info: startStack waits for the worker's "worker started"
}

export async function startOwnStack(env: TestEnv): Promise<OwnStack> {
  await ensureWebBuild();
  const stack = await startEnvStack(env);
  return { env, stack, close: () => stack.stop() };
}

/** A fresh profile at the smallest size the product supports, logged in on the own stack. */
export async function logInOn(browser: Browser, stack: Stack, user: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ baseURL: stack.webUrl, viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  await page.goto('/login');
  await fillLogin(page, user.email, user.password);
  await page.waitForURL('**/projects');
  return page;
}
