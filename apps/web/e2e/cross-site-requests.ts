// What a hostile page can make a signed-in user's browser send: a page served from another port of
// the same host (same site, other origin) or from another host name (cross-site) submits forms and
// fires no-cors fetches at the product. The responses are opaque to that page; the statuses are
// read from the browser's network events. Used by the browser test and by bench:faults.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { SESSION_COOKIE } from '@dataengine/contracts';

export interface AttackerSite {
  port: number;
  /** A page of the attacker's site: `127.0.0.1` is the product's site (other port), `localhost` another site. */
  pageUrl(host: '127.0.0.1' | 'localhost'): string;
  close(): Promise<void>;
}

/** Serves an empty HTML page on every path: the attacks run in it through page.evaluate. */
export async function startAttackerSite(): Promise<AttackerSite> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>a page elsewhere</title><p>nothing to see</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    pageUrl: (host) => `http://${host}:${port}/page`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Puts a session token into the browser as the login would (host-only cookie of 127.0.0.1, every port). */
export async function addSessionCookie(context: BrowserContext, cookieHeader: string): Promise<void> {
  const value = cookieHeader.slice(cookieHeader.indexOf('=') + 1);
  await context.addCookies([{ name: SESSION_COOKIE, value, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax' }]);
}

export type AttackBody =
  | { kind: 'text'; text: string }
  | { kind: 'blob'; bytes: number[]; type: string }
  | { kind: 'form-data'; field: string; fileName: string; bytes: number[]; type: string };

const postTo = (page: Page, url: string) =>
  page
    .waitForResponse((r) => r.url() === url && r.request().method() === 'POST', { timeout: 15_000 })
    .then((r) => r.status())
    .catch(() => null);

/** `fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body })` from the page; the status the browser saw. */
export async function noCorsPost(page: Page, url: string, body: AttackBody): Promise<number | null> {
  const status = postTo(page, url);
  await page.evaluate(async ({ url, body }) => {
    let payload: BodyInit;
    if (body.kind === 'text') payload = body.text;
    else if (body.kind === 'blob') payload = new Blob([new Uint8Array(body.bytes)], { type: body.type });
    else {
      const form = new FormData();
      form.append(body.field, new Blob([new Uint8Array(body.bytes)], { type: body.type }), body.fileName);
      payload = form;
    }
    await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: payload }).catch(() => undefined);
  }, { url, body });
  return status;
}

/** A form the page builds and submits: a top-level POST navigation to `url`; the status it got. */
export async function formPost(page: Page, url: string, enctype: 'text/plain' | 'application/x-www-form-urlencoded' | 'multipart/form-data', fields: [string, string][]): Promise<number | null> {
  const status = postTo(page, url);
  await page.evaluate(({ url, enctype, fields }) => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = url;
    form.enctype = enctype;
    for (const [name, value] of fields) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  }, { url, enctype, fields });
  const seen = await status;
  // the navigation goes on after the response: let it finish before the caller navigates again
  await page.waitForURL(url, { waitUntil: 'load', timeout: 15_000 }).catch(() => undefined);
  return seen;
}

/**
 * A COCO document sent as a text/plain form: the field name carries the JSON up to a padding
 * string, the browser adds `=` and the value closes it — the body parses as JSON.
 */
export function cocoAsTextPlainForm(doc: Record<string, unknown>): [string, string][] {
  const json = JSON.stringify({ ...doc, pad: '' });
  return [[json.slice(0, -2), '"}']];
}

/** A COCO instances document with one small mask on an image called `fileName`. */
export function plantedCoco(fileName: string, width: number, height: number): Record<string, unknown> {
  return {
    images: [{ id: 1, file_name: fileName, width, height }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: { size: [height, width], counts: [0, 40, width * height - 40] }, area: 40, bbox: [0, 0, 1, 40], iscrowd: 0 }],
    categories: [{ id: 1, name: 'object' }],
  };
}
