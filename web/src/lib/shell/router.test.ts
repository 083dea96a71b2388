import { describe, expect, it } from 'vitest';
import { parseRoute, roomHash, roomLink } from './router.svelte';

describe('parseRoute', () => {
  it('reads a room secret from the fragment', () => {
    expect(parseRoute('#/r/AbC_-123')).toEqual({ name: 'room', secret: 'AbC_-123' });
  });

  it('reads the owner after a room secret, and ignores anything else there', () => {
    const owner = 'B'.repeat(51) + 'A';
    expect(parseRoute(`#/r/AbC_-123/${owner}`)).toEqual({
      name: 'room',
      secret: 'AbC_-123',
      owner,
    });
    expect(parseRoute('#/r/AbC_-123/not-an-owner')).toEqual({ name: 'room', secret: 'AbC_-123' });
  });

  it('goes home for an empty or unknown fragment', () => {
    expect(parseRoute('')).toEqual({ name: 'home' });
    expect(parseRoute('#/elsewhere')).toEqual({ name: 'home' });
  });

  it('keeps an empty secret as a room route so the view can say the link is broken', () => {
    expect(parseRoute('#/r/')).toEqual({ name: 'room', secret: '' });
  });

  it('turns a malformed percent escape into an empty secret instead of throwing', () => {
    expect(parseRoute('#/r/%')).toEqual({ name: 'room', secret: '' });
    expect(parseRoute('#/r/ab%zz')).toEqual({ name: 'room', secret: '' });
    expect(parseRoute('#/r/%E0%A4%A')).toEqual({ name: 'room', secret: '' });
  });

  it('reads a contact fingerprint for a direct chat, and nothing malformed', () => {
    const fingerprint = 'A'.repeat(52);
    expect(parseRoute(`#/d/${fingerprint}`)).toEqual({ name: 'direct', fingerprint });
    expect(parseRoute(`#/d/${fingerprint}x`)).toEqual({ name: 'home' });
    expect(parseRoute('#/d/abc')).toEqual({ name: 'home' });
  });

  it('reads the secret of a contact invite link', () => {
    expect(parseRoute('#/i/AbC_-123')).toEqual({ name: 'invite', secret: 'AbC_-123' });
    expect(parseRoute('#/i/%')).toEqual({ name: 'invite', secret: '' });
  });

  it('reads the Settings and share routes exactly', () => {
    expect(parseRoute('#/settings')).toEqual({ name: 'settings' });
    expect(parseRoute('#/share')).toEqual({ name: 'share' });
    expect(parseRoute('#/settings/x')).toEqual({ name: 'home' });
  });

  it('decodes well-formed percent escapes', () => {
    expect(parseRoute('#/r/Ab%2DC')).toEqual({ name: 'room', secret: 'Ab-C' });
  });
});

describe('roomLink', () => {
  it('puts the secret in the fragment only', () => {
    expect(roomHash('s3cret')).toBe('#/r/s3cret');
    expect(roomLink('s3cret', undefined, 'https://parley.example')).toBe(
      'https://parley.example/#/r/s3cret',
    );
    const owner = 'C'.repeat(51) + 'Q';
    expect(roomHash('s3cret', owner)).toBe(`#/r/s3cret/${owner}`);
    expect(parseRoute(roomHash('s3cret', owner))).toEqual({
      name: 'room',
      secret: 's3cret',
      owner,
    });
  });
});
