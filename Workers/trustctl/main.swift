print("trustctl")
