import * as lucide from 'lucide';
import type { IconNode } from 'lucide';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import Icon, { ICON_TAGS } from './Icon.svelte';

/** The app's source files (tests left out), as text. */
const sources = import.meta.glob<string>(
  ['../../**/*.svelte', '../../**/*.ts', '!../../**/*.test.ts'],
  {
    query: '?raw',
    import: 'default',
    eager: true,
  },
);

/** The icons the app imports (`import Phone from 'lucide/dist/esm/icons/phone.mjs'`), by lucide name. */
function iconsUsed(): string[] {
  const names = new Set<string>();
  for (const text of Object.values(sources)) {
    for (const match of text.matchAll(/from\s+'lucide\/dist\/esm\/icons\/([\w-]+)\.mjs'/g)) {
      const pascal = (match[1] ?? '').replace(/(^|-)(\w)/g, (_, _dash: string, c: string) =>
        c.toUpperCase(),
      );
      names.add(pascal);
    }
  }
  return [...names].sort();
}

const icons = lucide as unknown as Record<string, IconNode | undefined>;

describe('Icon', () => {
  it('draws every shape of every icon the app uses', () => {
    const used = iconsUsed();
    expect(used).toContain('Phone');
    for (const name of used) {
      const node = icons[name];
      expect(node, name).toBeDefined();
      for (const [tag] of node ?? []) expect(ICON_TAGS, `${name} draws a <${tag}>`).toContain(tag);
    }
  });

  it('is imported icon by icon, never through the barrel (which would put every icon used on the first screen)', () => {
    for (const [path, text] of Object.entries(sources)) {
      expect(text, path).not.toMatch(/^\s*import\s+\{[^}]*\}\s+from\s+'lucide';/m);
    }
  });

  it('renders the shapes with their attributes, hidden from assistive technology', () => {
    const { body } = render(Icon, { props: { icon: lucide.Video, size: 16 } });
    expect(body).toContain('aria-hidden="true"');
    expect(body).toContain('width="16"');
    expect(body).toMatch(/<path d="m16 13[^"]*"/);
    expect(body).toMatch(/<rect x="2" y="6" width="14" height="12" rx="2"/);
  });
});
