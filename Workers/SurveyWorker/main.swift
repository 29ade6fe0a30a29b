print("SurveyWorker: not built yet")
