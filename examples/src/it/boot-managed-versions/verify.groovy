// The nested build passed; check that it ran its tests, on Boot's kafka-clients rather than eventcore's.
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0') : 'expected 2 tests run, none skipped'
assert log.contains('[boot-managed-versions] kafka-clients ') : 'expected the resolved kafka-clients version'
