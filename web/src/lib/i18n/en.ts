/** English catalog: the source of every UI string. Keys are typed; other locales must match. */
export const en = {
  'app.name': 'Parley',
  'app.tagline': 'Private chat, browser to browser. No account, no server reading along.',
  'app.loading': 'Opening Parley…',
  'app.fatal': 'Parley could not start: {reason}',
  'app.storageUnavailable':
    'Parley could not open its storage ({reason}). This browser may not let sites store data (private mode or storage disabled); Parley needs IndexedDB to keep your history.',
  'app.insecureContext':
    'Parley needs a secure address: open it via https:// or http://localhost. On this address the browser switches off the cryptography Parley uses to prove who you are.',
  'app.outdated': 'Parley was updated in another tab — reload to continue.',
  'app.reload': 'Reload',

  'onboarding.title': 'Welcome to Parley',
  'onboarding.intro':
    'Choose the name people in your rooms will see. It stays in this browser; you can change it later.',
  'onboarding.nameLabel': 'Display name',
  'onboarding.namePlaceholder': 'e.g. Alice',
  'onboarding.continue': 'Continue',
  'onboarding.nameRequired': 'Please enter a name.',
  'onboarding.nameTooLong': 'Please use at most {max} characters.',
  'onboarding.nameInvalid':
    'Names cannot contain control characters or text-direction marks. Please type the name again.',
  'onboarding.keysFailed':
    'This browser could not create your identity keys ({reason}). Open Parley via https:// or http://localhost in an up-to-date browser.',
  'onboarding.saveFailed':
    'Could not save your identity ({reason}). Check that this browser lets sites store data, then try again.',
  'onboarding.storageFull':
    'Your device is out of storage, so Parley could not save your identity. Free up some space, then try again.',
  'onboarding.creating': 'Creating your identity…',

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

  'messages.label': 'Messages',
  'messages.empty': 'No messages yet. Say hello!',
  'messages.loading': 'Loading history…',
  'messages.loadOlder': 'Show earlier messages',
  'room.details': 'Room details',
  'room.detailsTitle': 'Room details',
  'room.nameLabel': 'Room name',
  'room.topicLabel': 'Topic',
  'room.detailsHint': 'Everyone in the room sees the new name and topic.',
  'room.detailsInvalid':
    'A room name needs 1–64 characters, without control characters; a topic at most 256.',
  'room.save': 'Save',
  'room.cancel': 'Cancel',
  'message.reply': 'Reply',
  'message.react': 'React',
  'message.edit': 'Edit',
  'message.delete': 'Delete',
  'message.edited': 'edited',
  'message.deleted': 'This message was deleted',
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
  'composer.save': 'Save',
  'contacts.label': 'Contacts',
  'contacts.heading': 'Contacts',
  'contacts.search': 'Search contacts',
  'contacts.empty': 'No contacts yet. Add people from a room’s member list.',
  'contacts.noMatch': 'No contact matches “{query}”.',
  'contacts.add': 'Add contact',
  'contacts.requested': 'Request sent',
  'contacts.declined': 'Declined',
  'contacts.isContact': 'Contact',
  'contacts.requestTitle': 'Contact request from {name}',
  'contacts.requestBody':
    '{name} wants to add you as a contact. You will have a direct chat that needs no room link.',
  'contacts.accept': 'Accept',
  'contacts.decline': 'Decline',
  'contacts.notReachable': 'They are not connected right now. Try again when they are online.',
  'contacts.keyMismatch':
    'Someone with a different key than {name}’s tried to join your direct chat. They were refused.',
  'contacts.unknown': 'This contact is not saved in this browser.',
  'contacts.online': 'online',
  'contacts.offline': 'offline',
  'error.contactSaveFailed': 'Could not save the contact: {reason}',
  'contacts.safetyNumber': 'Safety number',
  'contacts.safetyTitle': 'Safety number with {name}',
  'contacts.safetyBody':
    'Compare this number with the one {name} sees, in person or over a call you trust. If they match, nobody is in the middle.',
  'contacts.markVerified': 'Mark as verified',
  'contacts.unverify': 'Mark as not verified',
  'contacts.verified': 'Verified',
  'contacts.block': 'Block',
  'contacts.unblock': 'Unblock',
  'contacts.blocked': 'Blocked',
  'contacts.blockedNotice': 'You blocked {name}. They cannot reach you until you unblock them.',
  'dialog.close': 'Close',
  'invite.button': 'Invite a contact',
  'invite.title': 'Invite a contact',
  'invite.body':
    'Send this link to one person. If they open it while you are online, you become contacts. It works once.',
  'invite.linkLabel': 'Invite link',
  'invite.copy': 'Copy link',
  'invite.copied': 'Link copied',
  'invite.making': 'Making a link…',
  'invite.failed': 'Could not make or open the invite link.',
  'invite.openingTitle': 'Contact invite',
  'invite.waiting':
    'Waiting for the person who invited you. If they are not online now, you become contacts as soon as they are — leave this page open or come back later.',
  'invite.done': 'You and {name} are now contacts.',
  'invite.openChat': 'Open the chat with {name}',
  'invite.invalid': 'This invite link is broken. Ask for a new one.',
  'invite.own': 'This is your own invite link. Send it to the person you want to add.',
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

  'emoji.title': 'Emoji',
  'emoji.loadFailed':
    'The emoji picker could not be loaded. Check your connection, then try again.',
  'emoji.category.smileys': 'Smileys',
  'emoji.category.people': 'People and gestures',
  'emoji.category.symbols': 'Hearts and symbols',
  'emoji.category.nature': 'Animals and nature',
  'emoji.category.food': 'Food and drink',
  'emoji.category.activities': 'Activities and things',

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
  'conversation.cancel': 'Cancel',
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
  // Profile (issue 4)
  'profile.edit': 'Edit profile',
  'profile.title': 'Your profile',
  'profile.nameLabel': 'Display name',
  'profile.hint':
    'Everyone in your rooms and your contacts sees the new name, also those who are offline now.',
  'profile.save': 'Save',
  'profile.cancel': 'Cancel',
  'profile.notReady': 'Your profile is still loading. Try again in a moment.',
  'contacts.lastSeen': 'last seen {when}',
  'invite.qrLabel': 'QR code of the invite link',
  'invite.qrHint': 'Or let them scan this with their phone’s camera.',
  'contacts.safetyQrLabel': 'QR code of your safety number with {name}',
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
  // QR codes (components/shell/QrCode.svelte)
  'qr.tooLong':
    'This is too long to show as a QR code ({bytes} bytes, at most {max}). Copy it as text instead.',
} as const;

/** A key of the UI catalog. */
export type MessageKey = keyof typeof en;
