print("ReminderWorker: not built yet")
