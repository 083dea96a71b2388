/**
 * English: the source catalog. Its keys, and the `{placeholders}` of each string, are what every
 * other language must provide (messages.ts types them; `npm run check` fails on a gap). The split
 * below decides what loads when: `firstScreen` loads before the first render, `onDemand` with the
 * first screen that needs it (scripts/vite-plugin-catalogs.mjs splits every language the same way).
 * Keep this file plain data: the build evaluates it.
 */

/** Strings of the first screen: loaded before Parley renders. */
export const firstScreen = {
  'app.name': 'Parley',
  'app.loading': 'Opening Parley…',
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
  'room.defaultTitle': 'Room {short}',
  'room.shareHint': 'Share this room’s link to invite people. You are the only one here.',
  'room.members': 'Members',
  'room.membersCount': 'Members ({count})',

  'messages.label': 'Messages',
  'messages.empty': 'No messages yet. Say hello!',
  'messages.loading': 'Loading history…',
  'room.details': 'Room details',
  'message.delete': 'Delete',
  'message.edited': 'edited',
  'message.deleted': 'This message was deleted',
  'message.unsupported':
    '{name} sent something this version cannot show. This message needs a newer version of Parley.',
  'message.notLoaded': 'An earlier message',
  'message.reactionCount': '{emoji} {count}',
  'composer.replyingTo': 'Replying to {name}',
  'composer.editing': 'Editing your message',
  'composer.cancelIntent': 'Cancel',
  'contacts.unknown': 'This contact is not saved in this browser.',
  'contacts.verified': 'Verified',
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

  'status.connecting': 'Connecting…',
  'status.online': 'Online',
  'status.reconnecting': 'Reconnecting…',
  'status.offline': 'Offline — messages will be sent later',

  'conversation.options': 'Conversation options',
  'conversation.mute': 'Mute',
  'conversation.unmute': 'Unmute',
  'conversation.muted': 'Muted',
  'conversation.archive': 'Archive',
  'conversation.unarchive': 'Unarchive',
  'conversation.archived': 'Archived ({count})',
  'conversation.delete': 'Delete',
  'conversation.leave': 'Leave room',

  // Profile and room membership
  'profile.edit': 'Edit profile',
  'room.earlier': 'Earlier messages, before someone was removed',
  // PWA
  'pwa.install': 'Install app',
  'nav.settings': 'Settings',

  // Calls
  'calls.log.voice': 'Voice call, {duration}',
  'calls.log.video': 'Video call, {duration}',
  'calls.log.missedVoice': 'Missed voice call',
  'calls.log.missedVideo': 'Missed video call',
  'calls.log.declined': 'Declined',
  'calls.log.cancelled': 'Cancelled',
  'calls.log.busy': 'Busy',
  // Names that look alike carry the start of the key (DESIGN §4)
  'member.nameWithTag': '{name} ({tag})',
  'member.keyTitle': '{name}: key fingerprint starts with {tag}',
  'contacts.verifiedContact': 'Verified contact',
} as const;

/** Strings of everything loaded on demand (onboarding, contacts and invites, dialogs, Settings, calls). */
export const onDemand = {
  'typing.one': '{name} is typing…',
  'typing.two': '{first} and {second} are typing…',
  'typing.others.one': '{first} and {count} other are typing…',
  'typing.others.other': '{first} and {count} others are typing…',
  // Onboarding, profile, contacts, invites, dialogs and prompts
  'app.tagline': 'Private chat, browser to browser. No account, no server reading along.',
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
  'room.detailsTitle': 'Room details',
  'room.nameLabel': 'Room name',
  'room.topicLabel': 'Topic',
  'room.detailsHint': 'Everyone in the room sees the new name and topic.',
  'room.detailsInvalid':
    'A room name needs 1–{maxName} characters, without control characters; a topic at most {maxTopic}.',
  'room.save': 'Save',
  // Hostile members: what one member wrote, deleting it, equivocation (DESIGN §6)
  'room.memberMessagesLabel': 'Messages by member',
  'room.memberMessages': 'Messages: {count} ({size})',
  'room.deleteMessages': 'Delete their messages',
  'room.deleteMessagesTitle': 'Delete everything {name} wrote here?',
  'room.deleteMessagesBody':
    'Their {count} messages ({size}) are deleted from this device and will not come back when others sync. What {name} writes from now on still arrives; other members keep their own copies.',
  'room.deleteMessagesConfirm': 'Delete',
  'room.equivocationNotice':
    'Warning: {name} sent different versions of the same message to different members. Parley shows neither version to anyone.',
  'room.cancel': 'Cancel',
  'contacts.label': 'Contacts',
  'contacts.heading': 'Contacts',
  'contacts.search': 'Search contacts',
  'contacts.empty': 'No contacts yet. Add people from a room’s member list.',
  'contacts.noMatch': 'No contact matches “{query}”.',
  'contacts.requestTitle': 'Contact request from {name}',
  'contacts.requestBody':
    '{name} wants to add you as a contact. You will have a direct chat that needs no room link.',
  'contacts.accept': 'Accept',
  'contacts.decline': 'Decline',
  'contacts.online': 'online',
  'contacts.offline': 'offline',
  'contacts.safetyTitle': 'Safety number with {name}',
  'contacts.safetyBody':
    'Compare this number with the one {name} sees, in person or over a call you trust. If they match, nobody is in the middle.',
  'contacts.markVerified': 'Mark as verified',
  'contacts.unverify': 'Mark as not verified',
  'contacts.blocked': 'Blocked',
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
  'emoji.title': 'Emoji',
  'emoji.category.smileys': 'Smileys',
  'emoji.category.people': 'People and gestures',
  'emoji.category.symbols': 'Hearts and symbols',
  'emoji.category.nature': 'Animals and nature',
  'emoji.category.food': 'Food and drink',
  'emoji.category.activities': 'Activities and things',
  'conversation.cancel': 'Cancel',
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
  'qr.tooLong': 'This is too long to show as a QR code. Copy it as text instead.',
  'pwa.updateAvailable': 'A new version is available.',
  'pwa.updateReload': 'Reload',
  'pwa.updateLater': 'Later',
  'notify.newMessage': 'New message in {title}',
  'calls.problem.no-device': 'No camera or microphone was found; the call goes on without it.',
  'calls.notice.not-reachable': 'They are not connected right now. Try again when they are online.',
  'calls.notice.room-call-full': 'This call is full: at most {max} people can be in a room call.',
  'calls.notice.screen-failed': 'The screen could not be shared.',
  'calls.notice.device-failed': 'That device could not be started.',
  // Settings and the share picker
  'settings.title': 'Settings',
  'settings.profile': 'Profile',
  'settings.appearance': 'Appearance',
  'settings.theme': 'Theme',
  'settings.themeLight': 'Light',
  'settings.themeDark': 'Dark',
  'settings.themeSystem': 'System',
  'settings.network': 'Network',
  'settings.networkHint':
    'Used the next time Parley connects (reload to apply now). STUN and TURN servers help when people are on different networks.',
  'settings.iceServers': 'ICE servers (STUN/TURN)',
  'settings.iceUrl': 'Server URL',
  'settings.iceUsername': 'User name',
  'settings.iceCredential': 'Credential',
  'settings.iceAdd': 'Add server',
  'settings.iceRemove': 'Remove server {number}',
  'settings.iceServer': 'Server {number}',
  'settings.iceNone': 'None: only the signal server’s own ICE servers are used.',
  'settings.ice.url':
    'Server {number}: use a stun:, turn: or turns: URL with a host, e.g. stun:stun.example.org:3478.',
  'settings.ice.credentials': 'Server {number}: a TURN server needs a user name and a credential.',
  'settings.ice.tooLong': 'Server {number}: that is too long.',
  'settings.ice.tooMany': 'At most {max} servers.',
  'settings.signalUrl': 'Signal server',
  'settings.signalUrlHint': 'Leave empty to use this site ({origin}).',
  'settings.signalUrlInvalid':
    'Use an http:// or https:// address without a path, e.g. https://chat.example.org.',
  'settings.save': 'Save',
  'settings.saved': 'Saved.',
  'settings.saveFailed': 'Could not save the settings: {reason}',
  'settings.reloadNow': 'Reload now',
  'settings.privacy': 'Privacy',
  'settings.relayOnly': 'Hide my IP address',
  'settings.relayOnlyHint':
    'Chats and calls go only through a TURN relay, so the people you talk to never see your IP address; calls may be slower, and the relay carries everything.',
  'settings.relayOnlyNoTurn':
    'No TURN server is available: with this on, Parley cannot connect to anyone. Add a TURN server under Network, or ask whoever runs your signal server to set one up.',
  'settings.relayOnlyApplies': 'Used the next time Parley connects.',
  'settings.notifications': 'Notifications',
  'settings.notificationsToggle': 'Notify me about new messages while Parley is in the background',
  'settings.notificationsDenied':
    'The browser blocks notifications for this site. Allow them in the site settings, then try again.',
  'settings.notificationsUnsupported': 'This browser cannot show notifications.',
  'settings.backup': 'Backup',
  'backup.intro':
    'A backup holds your identity, contacts, conversations and messages, encrypted with a passphrase. Restore it in another browser to go on there as you.',
  'backup.oldBrowser':
    'The old and the restored browser may both keep running: each writes as its own device of you. If you will not use the old one again, delete its data there (Settings → Delete all data).',
  'backup.export': 'Export backup',
  'backup.exportTitle': 'Export backup',
  'backup.passphrase': 'Passphrase',
  'backup.confirmPassphrase': 'Confirm passphrase',
  'backup.passphraseHint':
    'At least {min} characters. Without it nobody can read the backup, not even you: keep it safe.',
  'backup.passphraseTooShort': 'The passphrase needs at least {min} characters.',
  'backup.passphraseMismatch': 'The two passphrases are not the same.',
  'backup.includeFiles': 'Include files',
  'backup.includeFilesHint':
    'Files, images and voice messages stored here. Without them, the restored browser fetches them again from members.',
  'backup.exporting': 'Encrypting the backup…',
  'backup.exportFailed': 'The backup could not be made: {reason}',
  'backup.tooManyDevices':
    'This browser was restored from a backup of a restored browser too many times to make another. Export the backup from an earlier browser of yours.',
  'backup.saved': 'Backup saved as {file}. Keep it and its passphrase somewhere safe.',
  'backup.cancel': 'Cancel',
  'backup.restore': 'Restore from backup',
  'backup.restoreTitle': 'Restore from backup',
  'backup.restoreIntro':
    'Choose a Parley backup file and enter its passphrase. Nothing changes until the whole file has been checked.',
  'backup.file': 'Backup file',
  'backup.restoreButton': 'Restore',
  'backup.chooseFile': 'Choose a backup file first.',
  'backup.enterPassphrase': 'Enter the backup’s passphrase.',
  'backup.checking': 'Checking the backup…',
  'backup.restoring': 'Restoring…',
  'backup.wrongPassphrase': 'Wrong passphrase. Nothing was changed.',
  'backup.notABackup': 'This is not a Parley backup file. Nothing was changed.',
  'backup.newerVersion':
    'This backup was made by a newer version of Parley. Update Parley (reload the page), then try again. Nothing was changed.',
  'backup.damaged': 'This backup file is damaged or incomplete. Nothing was changed.',
  'backup.restoreFailed': 'Restoring failed: {reason}',
  'backup.replaceTitle': 'Replace everything on this device?',
  'backup.replaceBody':
    'Your identity, contacts and history in this browser are replaced by the backup of {name}. What exists only here is lost.',
  'backup.replaceConfirm': 'Replace',
  'settings.storage': 'Storage',
  'settings.storageUsage': '{used} used of {quota} available to this site.',
  'settings.storageUnknown': 'This browser does not say how much storage is used.',
  'settings.storagePersisted': 'Your history is kept even when the device is low on space.',
  'settings.storageNotPersisted':
    'The browser may clear your history when the device is low on space.',
  'settings.storagePersist': 'Keep my history',
  'settings.deleteAll': 'Delete all data',
  'settings.deleteAllTitle': 'Delete all data?',
  'settings.deleteAllBody':
    'Your identity, contacts, conversations and all messages are removed from this browser, and Parley starts fresh. Other people keep their copies. This cannot be undone.',
  'settings.deleteAllConfirm': 'Delete everything',
  'settings.about': 'About',
  'settings.version': 'Version {version}',
  'share.title': 'Share to…',
  'share.body': 'Choose a conversation. The shared text goes into its message box for you to send.',
  'share.empty': 'No conversations yet. Start a room first.',
  'share.cancel': 'Cancel',
  // Calls
  'calls.label': 'Call',
  'calls.accept': 'Accept',
  'calls.decline': 'Decline',
  'calls.hangUp': 'Hang up',
  'calls.mute': 'Mute',
  'calls.cameraOff': 'Camera off',
  'calls.shareScreen': 'Share screen',
  'calls.incomingTitle': 'Incoming call from {name}',
  'calls.titleFlash': '📞 {name} is calling',
  'calls.calling': 'Calling {name}…',
  'calls.ringing': 'Ringing at {name}…',
  'calls.roomCall': 'Room call',
  'calls.waiting': 'Waiting for others to join…',
  'calls.connecting': 'Connecting…',
  'calls.you': 'You',
  'calls.remoteMuted': 'Muted',
  'calls.remoteCameraOff': 'Camera off',
  'calls.remoteSharing': 'Sharing screen',
  'calls.reconnecting': 'Reconnecting…',
  'calls.quality.good': 'Good connection',
  'calls.quality.fair': 'Fair connection',
  'calls.quality.poor': 'Poor connection',
  'calls.path.direct': 'Direct',
  'calls.path.relayed': 'Relayed',
  'calls.problem.denied':
    'Microphone and camera access was refused, so the others cannot hear or see you. You can still hear and see them; allow access in the browser to take part.',
  'calls.problem.failed':
    'The microphone or camera could not be started; the call goes on without it.',
  'calls.notice.busy': 'They are in another call.',
  'calls.notice.declined': 'The call was declined.',
  'calls.notice.missed': 'No answer.',
  'calls.devices': 'Devices',
  'calls.microphone': 'Microphone',
  'calls.camera': 'Camera',
  'calls.speaker': 'Speaker',
  'calls.defaultDevice': 'Default',
  // Notices (kernel/notices.svelte.ts), shown by shell/NoticeBar.svelte (loaded on demand)
  'room.copyFailed': 'Could not copy. Copy the address from the address bar instead.',
  'contacts.notReachable': 'They are not connected right now. Try again when they are online.',
  'contacts.keyMismatch':
    'Someone with a different key than {name}’s tried to join your direct chat. They were refused.',
  'error.contactSaveFailed': 'Could not save the contact: {reason}',
  'emoji.loadFailed':
    'The emoji picker could not be loaded. Check your connection, then try again.',
  'error.storageFull':
    'Your device is out of storage for Parley. Free up space; nothing you wrote is lost until it is saved.',
  'error.saveFailed': 'Could not save your message: {reason}',
  'error.roomSaveFailed': 'Could not save the room: {reason}',
  'error.markReadFailed': 'Could not update the unread count: {reason}',
  'error.loadFailed': 'Could not read this room’s history: {reason}',
  'error.networkFailed':
    'Parley could not start its network ({reason}). Your history is still readable; reload to try again.',
  'error.conversationUpdateFailed': 'Could not change the conversation: {reason}',
  'error.deleteFailed': 'Could not delete the conversation: {reason}',
  'error.leaveFailed': 'Could not leave the room: {reason}',
  'calls.loadFailed': 'Calls could not be loaded. Check your connection, then try again.',
  'settings.deleteFailed': 'Could not delete the data: {reason}',
  'error.dismiss': 'Dismiss',
  // Confirmations, shown in ui/ConfirmDialog.svelte (loaded on demand)
  'conversation.deleteTitle': 'Delete this conversation?',
  'conversation.deleteBody':
    '“{title}” and all its messages will be removed from this browser. Other members keep their copies.',
  'conversation.leaveTitle': 'Leave this room?',
  'conversation.leaveBody':
    'You will leave “{title}” and its messages will be removed from this browser. You can join again with its link.',
  'room.removeTitle': 'Remove {name}?',
  'room.removeBody':
    'The room moves to a new link that {name} does not get. Everyone else moves with it and keeps the history; the old link lets no one in any more.',
  'room.remove': 'Remove',
  'message.deleteTitle': 'Delete this message for everyone?',
  'message.deleteBody': 'Everyone in the conversation will see that it was deleted.',
  // Why Parley could not start (shell/StartupProblem.svelte)
  'app.fatal': 'Parley could not start: {reason}',
  'app.storageUnavailable':
    'Parley could not open its storage ({reason}). This browser may not let sites store data (private mode or storage disabled); Parley needs IndexedDB to keep your history.',
  'app.insecureContext':
    'Parley needs a secure address: open it via https:// or http://localhost. On this address the browser switches off the cryptography Parley uses to prove who you are.',
  // Language
  'settings.language': 'Language',
  'settings.languageHint': 'Names and messages from other people are shown as they wrote them.',
  // The web manifest (vite.config.ts; not loaded by the page)
  'manifest.description':
    'Private peer-to-peer chat. Open a room link and talk, browser to browser.',
  'manifest.screenshotWide': 'Two people chatting in a Parley room',
  'manifest.screenshotNarrow': 'A Parley room on a phone',
  // Shown only by modules loaded after the first screen (members, message actions, calls)
  'room.memberOnline': 'online',
  'room.memberOffline': 'offline',
  'room.memberYou': '{name} (you)',
  'message.reply': 'Reply',
  'message.react': 'React',
  'message.edit': 'Edit',
  'reaction.thumbsUp': 'thumbs up',
  'reaction.heart': 'heart',
  'reaction.laugh': 'tears of joy',
  'reaction.wow': 'surprised',
  'reaction.sad': 'sad',
  'reaction.thanks': 'thank you',
  'contacts.add': 'Add contact',
  'contacts.requested': 'Request sent',
  'contacts.declined': 'Declined',
  'contacts.isContact': 'Contact',
  'contacts.safetyNumber': 'Safety number',
  'contacts.block': 'Block',
  'contacts.unblock': 'Unblock',
  'room.removeMember': 'Remove {name} from the room',
  'calls.voice': 'Voice call',
  'calls.video': 'Video call',
  'calls.inProgress': 'Call in progress',
  'calls.join': 'Join',
  'member.keyTag': 'key {tag}',
  // What stands in the way of a room (RoomNotices, RoomOpenProblem: loaded only then)
  'room.full':
    'This room is full right now. Parley keeps trying and joins as soon as someone leaves.',
  'room.tooManyRooms':
    'The signal server limits how many rooms one browser can be in at once, so nobody new can reach you in this room. Your history here stays readable.',
  'room.badRoom':
    'The signal server did not accept this room’s key. Reload Parley to get the latest version.',
  'room.refused': 'The signal server turned this room away ({reason}).',
  'room.invalidLink':
    'This room link is not valid. Check that you copied the whole link, including the part after #/r/.',
  'room.openFailed':
    'Parley could not open this room from its storage. Go back and try again; if it keeps happening, reload the page.',
  'room.movedNotice':
    'This room moved to a new link when someone was removed. What was said here stays readable.',
  'room.openMoved': 'Go to the room',
  'room.removedNotice': 'You were removed from this room. Its history stays readable here.',
  'contacts.blockedNotice': 'You blocked {name}. They cannot reach you until you unblock them.',
  // Catching up on a long history (loaded with the room view)
  'catchUp.label': 'Catching up on history',
  'catchUp.status': 'Catching up on history from members… {percent} %',
  // The offline and other-tab bars (loaded when shown)
  'network.elsewhere':
    'Parley is open in another tab, which sends and receives for you. Your history is here, and what you write here goes out from there.',
  'network.useHere': 'Use here',
  'pwa.offline':
    'You are offline. Your history is here, and what you write is sent when you are back online.',
  // Files, images and voice messages (DESIGN §9)
  'files.attach': 'Attach file',
  'files.recordVoice': 'Record voice message',
  'files.sendVoice': 'Send voice message',
  'files.cancelVoice': 'Cancel recording',
  'files.recording': 'Recording {time}',
  'files.micFailed':
    'Parley could not use the microphone ({reason}). Allow it for this site in the browser’s settings, then try again.',
  'files.download': 'Download',
  'files.downloadAgain': 'Download again',
  'files.removed': 'Removed from this device',
  'files.cancel': 'Cancel',
  'files.progress': 'Transfer of {name}',
  'files.waiting': 'Waiting for someone who has this file',
  'files.storageFull':
    'Out of storage: free space in Settings → Storage (or on this device), then try again.',
  'files.storageFailed': 'This browser could not store the file. Try again.',
  'files.mismatch':
    'This file is not what its message says (its bytes do not match), so nothing of it was kept. Someone may have sent a false file.',
  'files.tryAgain': 'Try again',
  'files.tooLarge': '{name} is larger than {max}, the largest file Parley sends.',
  'files.preparing': 'Preparing {name}',
  'files.prepareFailed': 'Could not prepare {name}. Try again.',
  'files.dismiss': 'Dismiss',
  'files.openImage': 'Open image {name}',
  'files.close': 'Close',
  'files.voiceMessage': 'Voice message, {duration}',
  'files.sizeType': '{size} · {type}',
  'files.unknownType': 'file',
  'files.dropHere': 'Drop files to send them',
  'files.storageTitle': 'Files',
  'files.storageIntro':
    'Space used by files in each conversation. Deleting them frees it on this device; the messages stay, and each file can be downloaded again from members who have it.',
  'files.deleteFiles': 'Delete files',
  'files.deleteFilesOf': 'Delete files of {name}',
  'files.deleteTitle': 'Delete the files of {name} from this device?',
  'files.deleteBody':
    '{size} is freed. The messages stay and show “Removed from this device”; anyone who still has a file can send it again.',
  'files.noFiles': 'No files are stored on this device yet.',
  'files.usageOf': '{name}: {size}',
  'files.autoDownload': 'Download files automatically up to (MB)',
  'files.autoDownloadHint':
    'Images and voice messages always download. 0: other files only when you choose Download.',
  'files.loading': 'Loading…',
  'files.voiceFileName': 'Voice message',
  // "Share to…" with files from another app (pwa/share-target.ts, SharePicker)
  'share.bodyFiles':
    'Choose a conversation. The shared files are sent to it at once; any shared text goes into its message box for you to send.',
  'share.files.one': '{count} file: {names}',
  'share.files.other': '{count} files: {names}',
  'share.fileSeparator': ', ',
  'share.filesLoading': 'Getting the shared files…',
  'share.filesGone':
    'The shared files are no longer here: they were sent already, or the browser cleared them. Share them again from the other app.',
  'share.filesTooMany':
    'Only {max} files can be shared at once, so none of these were kept. Share fewer at a time.',
  'share.filesFailed':
    'The shared files could not be kept (the browser may be out of space). Share them again from the other app.',
  'share.attachFailed': 'The shared files could not be attached to the conversation.',
  // Export conversation (features/export): a readable copy of one conversation
  'export.button': 'Export conversation',
  'export.busy': 'Exporting…',
  'export.failed':
    'The conversation could not be exported ({reason}). Try again; if it keeps failing, check that this browser may download files.',
  'export.heading': '{title} — exported from Parley on {date}',
  'export.count.one': '{count} message',
  'export.count.other': '{count} messages',
  'export.edited': '(edited)',
  'export.file': 'File: {name} ({size}, {type})',
  'export.image': 'Image: {name} ({size})',
  'export.reply': 'In reply to {name}: {text}',
  // Search (features/search/)
  'search.label': 'Search messages',
  'search.results': 'Search results',
  'search.inConversation': 'In this conversation',
  'search.searching': 'Searching…',
  'search.empty': 'No messages found',
  'search.building': 'Older messages are still being indexed: some may be missing.',
  'search.failed': 'Search failed. Try again.',
  'messages.jumpLatest': 'Jump to latest',
} as const;

const en = { ...firstScreen, ...onDemand };
export default en;
