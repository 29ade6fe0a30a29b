// trustctl: the operator's and data manager's command line. Exit codes: 0 ok, 1 usage or
// input error (message on stderr), 2 system error (broker, database, disk).
//
// Each area of the system contributes a `CommandGroup` in its own file; this file only lists
// them, so areas never edit each other's commands.
CommandGroup.main([SetupCommands.group, DropCommands.group, ReminderCommands.group, SurveyCommands.group,
                   NewsCommands.group, DemoCommands.group, OpsCommands.group, RetentionCommands.group])
