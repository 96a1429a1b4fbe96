// What the browser suite's global setup hands to the test files (vitest provide/inject).
export interface E2eUser {
  email: string;
  name: string;
  role: 'admin' | 'ops' | 'manager' | 'annotator';
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2eWebUrl: string;
    e2eUsers: E2eUser[];
    e2ePassword: string;
  }
}

export {};
