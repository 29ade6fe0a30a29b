print("NewsletterWorker: not built yet")
