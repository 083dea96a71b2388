/** One choice in a menu (Menu.svelte). */
export interface MenuItem {
  /** What the item says (also its key: labels in one menu differ). */
  label: string;
  /** Runs after the menu closed and gave focus back to its button. */
  onSelect: () => void;
}
