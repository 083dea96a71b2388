import { describe, expect, it } from 'vitest';
import { createRawSnippet } from 'svelte';
import { render } from 'svelte/server';
import ConfirmDialog from './ConfirmDialog.svelte';
import Dialog from './Dialog.svelte';

const noop = (): void => undefined;

/** The tag and text of the element with this id in `html`. */
function byId(html: string, id: string | undefined): string | undefined {
  const match = new RegExp(`<(\\w+) id="${id}"[^>]*>([^<]*)<`).exec(html);
  return match ? `${match[1]}: ${match[2]}` : undefined;
}

/** The value of `name` on the first element matching `tag` in `html`. */
function attribute(html: string, tag: string, name: string): string | undefined {
  const element = new RegExp(`<${tag}\\b[^>]*>`).exec(html)?.[0] ?? '';
  return new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];
}

describe('Dialog', () => {
  it('is named by its title and described by its description', () => {
    const { body } = render(ConfirmDialog, {
      props: {
        title: 'Delete this message for everyone?',
        body: 'Everyone will see that it was deleted.',
        confirmLabel: 'Delete',
        onConfirm: noop,
        onCancel: noop,
      },
    });
    const labelledBy = attribute(body, 'dialog', 'aria-labelledby');
    const describedBy = attribute(body, 'dialog', 'aria-describedby');
    expect(labelledBy).toMatch(/\S/);
    expect(byId(body, labelledBy)).toBe('h2: Delete this message for everyone?');
    expect(describedBy).toMatch(/\S/);
    expect(byId(body, describedBy)).toBe('p: Everyone will see that it was deleted.');
  });

  it('puts a Cancel that comes first before the actions, so it is focused first', () => {
    const { body } = render(ConfirmDialog, {
      props: {
        title: 'Remove Bob?',
        body: '…',
        confirmLabel: 'Remove',
        onConfirm: noop,
        onCancel: noop,
      },
    });
    const buttons = [...body.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1]);
    expect(buttons).toEqual(['Cancel', 'Remove']);
  });

  it('puts the close button last unless told otherwise, and makes a form when it submits', () => {
    const actions = createRawSnippet(() => ({
      render: () => '<button type="submit">Save</button>',
    }));
    const { body } = render(Dialog, {
      props: { title: 'Room details', closeLabel: 'Close', onClose: noop, onSubmit: noop, actions },
    });
    expect(body).toMatch(/<form>.*<\/form>/s);
    const buttons = [...body.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1]);
    expect(buttons).toEqual(['Save', 'Close']);
    expect(attribute(body, 'dialog', 'aria-describedby')).toBeUndefined();
  });

  it('renders nothing while closed', () => {
    const children = createRawSnippet(() => ({ render: () => '<p>expensive</p>' }));
    const { body } = render(Dialog, {
      props: { title: 'Your profile', open: false, onClose: noop, children },
    });
    expect(body).not.toContain('<dialog');
    expect(body).not.toContain('expensive');
  });
});
