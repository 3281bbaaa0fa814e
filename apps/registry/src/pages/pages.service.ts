import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export interface StaticFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

export const PAGES = ['debtor', 'supervision'] as const;
export type PageName = (typeof PAGES)[number];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The pages' files, read once at start-up and served from memory: only files that exist in
 * static/ are ever served, so no request path reaches the file system.
 *
 * Found beside this source file (ts-node, jest) or, in the webpack bundle, where nest-cli's
 * `assets` copies them (dist/apps/registry/pages/static).
 */
@Injectable()
export class PagesService {
  private readonly pages = new Map<string, StaticFile>();
  private readonly assets = new Map<string, StaticFile>();
  private readonly pagesConfig: StaticFile;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const root = [join(__dirname, 'static'), join(__dirname, 'pages', 'static')].find((dir) => existsSync(join(dir, 'debtor.html')));
    if (!root) throw new Error(`pages: static files not found beside ${__dirname} (is nest-cli's "assets" copying pages/static?)`);
    for (const page of PAGES) this.pages.set(page, load(join(root, `${page}.html`)));
    for (const name of readdirSync(join(root, 'assets'))) {
      if (CONTENT_TYPES[extname(name)]) this.assets.set(name, load(join(root, 'assets', name)));
    }
    const oidc = config.pages.oidc;
    const sso = oidc ? { authorizeUrl: oidc.authorizeUrl, tokenUrl: oidc.tokenUrl, clientId: oidc.clientId, scope: oidc.scope } : null;
    this.pagesConfig = file(Buffer.from(JSON.stringify({ sso })), 'application/json; charset=utf-8');
  }

  config(): StaticFile {
    return this.pagesConfig;
  }

  page(name: PageName): StaticFile {
    return this.pages.get(name)!;
  }

  asset(name: string): StaticFile {
    const file = this.assets.get(name);
    if (!file) throw new AppError('ROUTE_NOT_FOUND', `No asset named ${name}.`);
    return file;
  }
}

function load(path: string): StaticFile {
  return file(readFileSync(path), CONTENT_TYPES[extname(path)]);
}

function file(body: Buffer, contentType: string): StaticFile {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}
