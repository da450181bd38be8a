// The nested build passed; check that it ran both tests rather than none.
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0') : 'expected 2 tests run, none skipped'
