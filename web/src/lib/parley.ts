/**
 * The composition root of the app's state (STYLE "one folder per feature plus one line in the
 * composition root"): the kernel, then each feature, wired by the ports they declare. Adding a
 * feature is a folder plus a few lines here: construct it, spread its `frames` into the table
 * (a frame type without an owner does not compile), add its loader and admission rule.
 */
import { HISTORY_DIAL_WAIT_MAX_MS } from './config';
import { Kernel, type StoreEvents } from './kernel/kernel.svelte';
import type { FrameHandlers } from './kernel/frames';
import type { Fingerprint, RoomKey } from './protocol/ids';
import type { Transport } from './net/transport';
import type { ChatStore } from './storage/chat-store';
import { Calls } from './features/calls/calls.svelte';
import type { Devices } from './features/calls/devices';
import { ContactLinks } from './features/contacts/contact-links.svelte';
import { Contacts } from './features/contacts/contacts.svelte';
import { Conversations } from './features/conversations/conversations.svelte';
import { Members } from './features/conversations/members';
import type { MemberMessages } from './features/conversations/member-messages.svelte';
import { Messages } from './features/messaging/messages';
import { Outbox, type OutboxJournalDeps } from './features/messaging/outbox';
import { SyncLink } from './features/messaging/sync-link';
import { Timeline } from './features/messaging/timeline.svelte';
import { Profile } from './features/profile/profile';
import { Receipts } from './features/receipts/receipts';
import { RoomMoves } from './features/room-moves/room-moves';
import { AppSettings, type NetworkSettings } from './features/settings/settings.svelte';
import { TypingFacade } from './features/typing/typing-facade.svelte';
import { FileLinks } from './features/files/file-links';
import type { FileStore } from './storage/file-store';
import { searchLinks } from './features/search/search-links';
import type { SearchIndex } from './storage/search-store';

/** The outside world, as the composition root hands it in (bootstrap.ts; tests). */
export interface ParleyDeps {
  /** Opens the local database. */
  openStore(events: StoreEvents): Promise<ChatStore>;
  /** Builds the transport (the PeerJS one in the app) with the person's network settings. */
  createTransport(network: NetworkSettings): Promise<Transport>;
  /** Deletes the local database (after it was closed); for "Delete all data". */
  deleteStore?: () => Promise<void>;
  /** The call layer's devices (default: the browser's, loaded with the call layer). */
  loadDevices?: () => Promise<Devices>;
  /** Wall clock; injectable for tests. */
  now?: () => number;
  /** The longest a room's history waits for its dials (default HISTORY_DIAL_WAIT_MAX_MS). */
  historyDialWaitMaxMs?: number;
  /** Where the outbox journals what was typed until it is stored (the app: localStorage). */
  outboxJournal?: OutboxJournalDeps;
  /** Opens the store of file chunks (DESIGN §9); loaded with the files feature. */
  openFileStore(): Promise<FileStore>;
  /** Opens the search index (DESIGN §10 "Search"); loaded with the search feature. */
  openSearchIndex(): Promise<SearchIndex>;
}

/** The browser's devices, loaded with the call layer. */
async function browserDevices(): Promise<Devices> {
  return (await import('./features/calls/browser-devices')).browserDevices;
}

/** Builds the app's state: the kernel and every feature, wired. */
export function createParley(deps: ParleyDeps) {
  const settings = new AppSettings();
  const kernel = new Kernel({
    openStore: (events) => deps.openStore(events),
    createTransport: async () => deps.createTransport(await settings.network()),
    ...(deps.deleteStore ? { deleteStore: deps.deleteStore } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  // First, so its store-change listener hands our new events to the links before the other
  // features' listeners run (they render, count, index).
  const sync = new SyncLink(kernel, {
    onRemoteVector: (peer, vector) => receipts.vectorOf(peer, vector),
    onOwnEventsSent: (room, seq) => receipts.sentUpTo(room, seq),
    isRefusedAuthor: (fingerprint) => contacts.isBlocked(fingerprint),
    onHistorySettled: (room) => timeline.historySettled(room),
  });
  const conversations = new Conversations(kernel);
  const conversation = (room: RoomKey) => conversations.conversation(room);
  const members = new Members(kernel, conversations);
  // What each member wrote, for the members list: loaded with it, not with the first screen.
  let memberMessages: Promise<MemberMessages> | undefined;
  const loadMemberMessages = (): Promise<MemberMessages> =>
    (memberMessages ??= import('./features/conversations/member-messages.svelte').then(
      (m) => new m.MemberMessages(kernel),
    ));
  const nameOf = (room: RoomKey, fingerprint: Fingerprint) => members.authorName(room, fingerprint);
  const outbox = new Outbox(kernel, conversation, deps.outboxJournal);
  const say = outbox.queue.bind(outbox);
  const messages = new Messages(kernel, outbox, conversation);
  const timeline: Timeline = new Timeline(kernel, {
    ensureRoom: (secret, owner) => conversations.ensure(secret, owner),
    markRead: (room) => receipts.markRead(room),
    whenDialled: (room) =>
      kernel.network.whenDialled(room, deps.historyDialWaitMaxMs ?? HISTORY_DIAL_WAIT_MAX_MS),
  });
  const receipts = new Receipts(kernel, {
    conversation,
    activeRoom: () => timeline.activeRoom,
    newestShown: (room) => timeline.newestShown(room),
  });
  const contacts = new Contacts(kernel, { conversations: () => conversations.all, conversation });
  const moves = new RoomMoves(kernel, {
    all: () => conversations.all,
    conversation,
    setFlags: (room, flags) => conversations.setFlags(room, flags),
  });
  const calls = new Calls(kernel, {
    conversation,
    nameOf,
    say,
    loadDevices: deps.loadDevices ?? browserDevices,
  });
  // The typing indicator: its code loads right after the first screen.
  const typing = new TypingFacade(kernel, nameOf);
  // Contact requests and links: their code loads right after the first screen.
  const contactLinks = new ContactLinks(kernel, contacts);
  const { invites, requests } = contactLinks;
  const profile = new Profile(kernel, { conversations: () => conversations.list, say });
  const files = new FileLinks(kernel, {
    openFileStore: () => deps.openFileStore(),
    say,
  });
  const search = searchLinks(kernel, () => deps.openSearchIndex());

  const frames = {
    ...sync.frames,
    ...receipts.frames,
    ...typing.frames,
    ...requests.frames,
    ...moves.frames,
    ...calls.frames,
  } satisfies FrameHandlers;
  kernel.install({
    frames,
    loaders: [
      (store) => settings.load(store),
      (store) => conversations.load(store),
      (store) => Promise.resolve(receipts.load(store)),
      (store) => contacts.load(store),
      (store) => contactLinks.start(store),
      () => moves.load(),
      () => typing.start(),
    ],
    admits: [(peer) => contacts.admits(peer), (peer) => moves.admits(peer)],
  });

  return {
    kernel,
    settings,
    profile,
    conversations,
    members,
    loadMemberMessages,
    timeline,
    messages,
    receipts,
    typing,
    contacts,
    invites,
    requests,
    moves,
    calls,
    sync,
    files,
    search,
  };
}

/** The app's state, as components and tests use it. */
export type Parley = ReturnType<typeof createParley>;
