// Fixtures run two at a time (issue 27, point 6): each has its own database, its own host and, for the email tests,
// its own SMTP server, so nothing is shared but the PostgreSQL server; a fixture that must run alone says so with
// [NonParallelizable]. Tests within a fixture still run one after another: they share its database.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
