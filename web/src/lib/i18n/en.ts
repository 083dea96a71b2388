/** English catalog: the source of every UI string. Keys are typed; other locales must match. */
export const en = {
  'app.name': 'Parley',
  'app.tagline': 'Private chat, browser to browser. No account, no server reading along.',
  'app.loading': 'Opening Parley…',
  'app.fatal': 'Parley could not start: {reason}',
  'app.storageUnavailable':
    'This browser does not let Parley store data (private mode or storage disabled). Parley needs IndexedDB to keep your history.',

  'onboarding.title': 'Welcome to Parley',
  'onboarding.intro':
    'Choose the name people in your rooms will see. It stays in this browser; you can change it later.',
  'onboarding.nameLabel': 'Display name',
  'onboarding.namePlaceholder': 'e.g. Alice',
  'onboarding.continue': 'Continue',
  'onboarding.nameRequired': 'Please enter a name.',
  'onboarding.nameTooLong': 'Please use at most {max} characters.',
  'onboarding.creating': 'Creating your identity…',

  'nav.conversations': 'Conversations',
  'nav.newRoom': 'New room',
  'nav.empty': 'No conversations yet. Start a room and share its link.',
  'nav.you': 'You: {name}',
  'nav.back': 'Back to conversations',
  'nav.noPreview': 'No messages yet',

  'home.title': 'Start talking',
  'home.body':
    'Create a room and send its link to the people you want to talk to. Anyone with the link can join; messages go directly between browsers.',

  'room.copyLink': 'Copy link',
  'room.copied': 'Link copied',
  'room.copyFailed': 'Could not copy. Copy the address from the address bar instead.',
  'room.invalidLink':
    'This room link is not valid. Check that you copied the whole link, including the part after #/r/.',
  'room.full': 'This room is full ({max} people at most). Try again later.',
  'room.defaultTitle': 'Room {short}',
  'room.shareHint': 'Share this room’s link to invite people. You are the only one here.',
  'room.members': 'Members',
  'room.memberOnline': 'online',
  'room.memberOffline': 'offline',
  'room.memberYou': '{name} (you)',
  'room.error': 'The signal server refused this room: {reason}',

  'messages.label': 'Messages',
  'messages.empty': 'No messages yet. Say hello!',
  'messages.loading': 'Loading history…',
  'messages.you': 'You',

  'composer.label': 'Message',
  'composer.placeholder': 'Write a message',
  'composer.send': 'Send',
  'composer.tooLong': '{count} / {max} characters: too long to send.',

  'status.connecting': 'Connecting…',
  'status.online': 'Online',
  'status.reconnecting': 'Reconnecting…',
  'status.offline': 'Offline — messages will be sent later',

  'error.storageFull':
    'Your device is out of storage for Parley. Free up space; nothing you wrote is lost until it is saved.',
  'error.saveFailed': 'Could not save your message: {reason}',
  'error.dismiss': 'Dismiss',
} as const;

/** A key of the UI catalog. */
export type MessageKey = keyof typeof en;
