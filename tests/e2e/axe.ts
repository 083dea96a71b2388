// The accessibility audit: axe-core (through @axe-core/playwright) on what the page shows now.
// Only serious and critical findings fail; every finding is attached to the test for reading.
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { expect } from './fixtures.js';

/** The impacts that fail the audit (axe's scale: minor, moderate, serious, critical). */
const FAILING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical']);

/** One finding, in the few words a failure message needs. */
export interface AuditFinding {
  /** axe's rule id, e.g. `color-contrast`. */
  rule: string;
  /** axe's impact. */
  impact: string;
  /** Each failing element: its selector and what axe says about it. */
  nodes: string[];
}

/**
 * Audits the whole page as it is now (every axe rule: WCAG 2.x A and AA and best practices) and
 * fails the test when axe finds a serious or critical violation — softly, so the journey goes on
 * and one run reports every screen's violations; `screen` names what is shown, for the report.
 * Waits until running animations have finished, so colours are measured as a person sees them.
 */
export async function expectAccessible(
  page: Page,
  screen: string,
  testInfo: TestInfo,
): Promise<void> {
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => null))),
  );
  const results = await new AxeBuilder({ page }).analyze();
  const findings: AuditFinding[] = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact ?? 'unknown',
    nodes: violation.nodes.map((node) =>
      `${node.target.join(' ')}: ${node.failureSummary ?? ''}`.replace(/\s+/g, ' '),
    ),
  }));
  if (findings.length > 0) {
    await testInfo.attach(`axe ${screen}.json`, {
      body: JSON.stringify(findings, null, 2),
      contentType: 'application/json',
    });
  }
  const failing = findings.filter((finding) => FAILING_IMPACTS.has(finding.impact));
  expect.soft(failing, `serious or critical accessibility violations on "${screen}"`).toEqual([]);
}
