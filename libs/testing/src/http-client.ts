// Minimal clients for talking to a running API the way the browser does (cookies, tRPC over HTTP).
export async function loginCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error('login returned no session cookie');
  return cookie.split(';')[0]!;
}

export interface TrpcResult<T = unknown> {
  status: number;
  data?: T;
  error?: { message: string; code: number; data: { code: string; httpStatus: number; appCode: string | null } };
}

export async function trpcQuery<T = unknown>(baseUrl: string, path: string, input: unknown, cookie?: string): Promise<TrpcResult<T>> {
  const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await fetch(`${baseUrl}/trpc/${path}${qs}`, { headers: cookie ? { cookie } : {} });
  return readTrpc<T>(res);
}

export async function trpcMutation<T = unknown>(baseUrl: string, path: string, input: unknown, cookie?: string): Promise<TrpcResult<T>> {
  const res = await fetch(`${baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(input ?? null),
  });
  return readTrpc<T>(res);
}

async function readTrpc<T>(res: Response): Promise<TrpcResult<T>> {
  const body = (await res.json()) as { result?: { data: T }; error?: TrpcResult['error'] };
  return { status: res.status, data: body.result?.data, error: body.error };
}

export async function uploadBytes(baseUrl: string, projectId: string, bytes: Uint8Array, cookie: string, name = 'image.jpg', query = ''): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/api/projects/${projectId}/images?name=${encodeURIComponent(name)}${query}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/octet-stream' },
    body: bytes as unknown as BodyInit,
  });
  return { status: res.status, body: await res.json() };
}
