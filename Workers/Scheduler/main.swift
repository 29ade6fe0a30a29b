print("Scheduler: not built yet")
