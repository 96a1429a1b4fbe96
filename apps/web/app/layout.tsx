import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import '../styles/base.css';
import '../styles/layout.css';
import '../styles/projects.css';
import '../styles/runs.css';
import '../styles/annotate.css';
import '../styles/review.css';

export const metadata: Metadata = {
  title: 'Data Engine',
  description: 'Segmentation data engine: assisted-manual, semi-automatic and fully automatic mask annotation.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
