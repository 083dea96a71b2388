/**
 * English catalog of the first screen: the source of its UI strings. Strings of screens loaded on
 * demand are in en-more.ts. Keys are typed; other locales must match.
 */
export const en = {
  'app.name': 'Parley',
  'app.loading': 'Opening Parley…',
  'app.fatal': 'Parley could not start: {reason}',
  'app.storageUnavailable':
    'Parley could not open its storage ({reason}). This browser may not let sites store data (private mode or storage disabled); Parley needs IndexedDB to keep your history.',
  'app.insecureContext':
    'Parley needs a secure address: open it via https:// or http://localhost. On this address the browser switches off the cryptography Parley uses to prove who you are.',
  'app.outdated': 'Parley was updated in another tab — reload to continue.',
  'app.reload': 'Reload',

  'nav.conversations': 'Conversations',
  'nav.newRoom': 'New room',
  'nav.empty': 'No conversations yet. Start a room and share its link.',
  'nav.you': 'You: {name}',
  'nav.back': 'Back to conversations',
  'nav.noPreview': 'No messages yet',
  'nav.unreadLabel': '{title}, {count} unread',

  'home.title': 'Start talking',
  'home.body':
    'Create a room and send its link to the people you want to talk to. Anyone with the link can join; messages go directly between browsers.',

  'room.copyLink': 'Copy link',
  'room.copied': 'Link copied',
  'room.copyFailed': 'Could not copy. Copy the address from the address bar instead.',
  'room.invalidLink':
    'This room link is not valid. Check that you copied the whole link, including the part after #/r/.',
  'room.full':
    'This room is full right now. Parley keeps trying and joins as soon as someone leaves.',
  'room.tooManyRooms':
    'The signal server limits how many rooms one browser can be in at once, so nobody new can reach you in this room. Your history here stays readable.',
  'room.badRoom':
    'The signal server did not accept this room’s key. Reload Parley to get the latest version.',
  'room.refused': 'The signal server turned this room away ({reason}).',
  'room.openFailed':
    'Parley could not open this room from its storage. Go back and try again; if it keeps happening, reload the page.',
  'room.defaultTitle': 'Room {short}',
  'room.shareHint': 'Share this room’s link to invite people. You are the only one here.',
  'room.members': 'Members',
  'room.memberOnline': 'online',
  'room.memberOffline': 'offline',
  'room.memberYou': '{name} (you)',
  'member.nameWithTag': '{name} ({tag})',
  'member.keyTag': 'key {tag}',
  'member.keyTitle': '{name}: key fingerprint starts with {tag}',

  'messages.label': 'Messages',
  'messages.empty': 'No messages yet. Say hello!',
  'messages.loading': 'Loading history…',
  'messages.loadOlder': 'Show earlier messages',
  'room.details': 'Room details',
  'message.reply': 'Reply',
  'message.react': 'React',
  'message.edit': 'Edit',
  'message.delete': 'Delete',
  'message.edited': 'edited',
  'message.deleted': 'This message was deleted',
  'message.unsupported':
    '{name} sent something this version cannot show. This message needs a newer version of Parley.',
  'message.notLoaded': 'An earlier message',
  'message.deleteTitle': 'Delete this message for everyone?',
  'message.deleteBody': 'Everyone in the conversation will see that it was deleted.',
  'message.reactionCount': '{emoji} {count}',
  'reaction.thumbsUp': 'thumbs up',
  'reaction.heart': 'heart',
  'reaction.laugh': 'tears of joy',
  'reaction.wow': 'surprised',
  'reaction.sad': 'sad',
  'reaction.thanks': 'thank you',
  'composer.replyingTo': 'Replying to {name}',
  'composer.editing': 'Editing your message',
  'composer.cancelIntent': 'Cancel',
  'contacts.add': 'Add contact',
  'contacts.requested': 'Request sent',
  'contacts.declined': 'Declined',
  'contacts.isContact': 'Contact',
  'contacts.notReachable': 'They are not connected right now. Try again when they are online.',
  'contacts.keyMismatch':
    'Someone with a different key than {name}’s tried to join your direct chat. They were refused.',
  'contacts.unknown': 'This contact is not saved in this browser.',
  'error.contactSaveFailed': 'Could not save the contact: {reason}',
  'contacts.safetyNumber': 'Safety number',
  'contacts.verified': 'Verified',
  'contacts.verifiedContact': 'Verified contact',
  'contacts.block': 'Block',
  'contacts.unblock': 'Unblock',
  'contacts.blockedNotice': 'You blocked {name}. They cannot reach you until you unblock them.',
  'messages.you': 'You',

  'delivery.pending': 'Pending',
  'delivery.sent': 'Sent',
  'delivery.delivered': 'Delivered',
  'delivery.read': 'Read',
  'delivery.detail': 'Delivered to {delivered} of {total} · Read by {read} of {total}',

  'composer.label': 'Message',
  'composer.placeholder': 'Write a message',
  'composer.send': 'Send',
  'composer.tooLong': '{count} / {max} characters: too long to send.',
  'composer.emoji': 'Emoji',

  'emoji.loadFailed':
    'The emoji picker could not be loaded. Check your connection, then try again.',

  'status.connecting': 'Connecting…',
  'status.online': 'Online',
  'status.reconnecting': 'Reconnecting…',
  'status.offline': 'Offline — messages will be sent later',

  'error.storageFull':
    'Your device is out of storage for Parley. Free up space; nothing you wrote is lost until it is saved.',
  'error.saveFailed': 'Could not save your message: {reason}',
  'error.roomSaveFailed': 'Could not save the room: {reason}',
  'error.markReadFailed': 'Could not update the unread count: {reason}',
  'error.loadFailed': 'Could not read this room’s history: {reason}',
  'error.networkFailed':
    'Parley could not start its network ({reason}). Your history is still readable; reload to try again.',
  'error.dismiss': 'Dismiss',

  'conversation.options': 'Conversation options',
  'conversation.mute': 'Mute',
  'conversation.unmute': 'Unmute',
  'conversation.muted': 'Muted',
  'conversation.archive': 'Archive',
  'conversation.unarchive': 'Unarchive',
  'conversation.archived': 'Archived ({count})',
  'conversation.delete': 'Delete',
  'conversation.leave': 'Leave room',
  'conversation.deleteTitle': 'Delete this conversation?',
  'conversation.deleteBody':
    '“{title}” and all its messages will be removed from this browser. Other members keep their copies.',
  'conversation.leaveTitle': 'Leave this room?',
  'conversation.leaveBody':
    'You will leave “{title}” and its messages will be removed from this browser. You can join again with its link.',
  'error.conversationUpdateFailed': 'Could not change the conversation: {reason}',
  'error.deleteFailed': 'Could not delete the conversation: {reason}',
  'error.leaveFailed': 'Could not leave the room: {reason}',

  'typing.one': '{name} is typing…',
  'typing.two': '{first} and {second} are typing…',
  'typing.several': 'Several people are typing…',
  // Profile and room membership
  'profile.edit': 'Edit profile',
  'room.removeMember': 'Remove {name} from the room',
  'room.removeTitle': 'Remove {name}?',
  'room.removeBody':
    'The room moves to a new link that {name} does not get. Everyone else moves with it and keeps the history; the old link lets no one in any more.',
  'room.remove': 'Remove',
  'room.movedNotice':
    'This room moved to a new link when someone was removed. What was said here stays readable.',
  'room.openMoved': 'Go to the room',
  'room.removedNotice': 'You were removed from this room. Its history stays readable here.',
  'room.earlier': 'Earlier messages, before someone was removed',
  'network.elsewhere':
    'Parley is open in another tab, which sends and receives for you. Your history is here, and what you write here goes out from there.',
  'network.useHere': 'Use here',
  // PWA
  'pwa.offline':
    'You are offline. Your history is here, and what you write is sent when you are back online.',
  'pwa.install': 'Install app',
  'nav.settings': 'Settings',
  'settings.deleteFailed': 'Could not delete the data: {reason}',

  // Calls
  'calls.voice': 'Voice call',
  'calls.video': 'Video call',
  'calls.loadFailed': 'Calls could not be loaded. Check your connection, then try again.',
  'calls.inProgress': 'Call in progress',
  'calls.join': 'Join',
  'calls.log.voice': 'Voice call, {duration}',
  'calls.log.video': 'Video call, {duration}',
  'calls.log.missedVoice': 'Missed voice call',
  'calls.log.missedVideo': 'Missed video call',
  'calls.log.declined': 'Declined',
  'calls.log.cancelled': 'Cancelled',
  'calls.log.busy': 'Busy',
} as const;
