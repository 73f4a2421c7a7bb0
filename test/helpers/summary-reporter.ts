import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, that tools which do not
 * read vitest's own summary (CI log scrapers) understand, preceded by one `FAILED …` line
 * per failure (file, suites and test, first line of the error): a log that keeps only the
 * end of the output still says which test failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const lines: string[] = [];
    for (const m of testModules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const result = t.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') {
          failed++;
          failedHere++;
          lines.push(`FAILED ${m.relativeModuleId} > ${t.fullName}: ${firstLine(result.errors?.[0]?.message)}`);
        } else skipped++;
      }
      if (m.state() === 'failed' && failedHere === 0) {
        // A file that failed to load, or whose hooks failed while its tests passed.
        failed++;
        lines.push(`FAILED ${m.relativeModuleId}: ${firstLine(m.errors()[0]?.message)}`);
      }
    }
    process.stdout.write(`\n${lines.map((l) => `${l}\n`).join('')}${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

function firstLine(message: string | undefined): string {
  return (message ?? 'no error message').split('\n')[0]!.slice(0, 300);
}
