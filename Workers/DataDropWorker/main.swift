print("DataDropWorker")
