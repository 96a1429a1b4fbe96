import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="page">
      <h1>Page not found</h1>
      <p className="muted">
        There is nothing at this address. <Link href="/projects">Go to your projects</Link>.
      </p>
    </main>
  );
}
