/**
 * UI strings of Settings and the share picker, loaded with those screens (not part of the first screen). Importing this module
 * adds them to the catalog `t()` reads; keys are typed with the rest (i18n.ts).
 */
import { addMessages } from './i18n';

export const enSettings = {
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
} as const;

addMessages(enSettings);
