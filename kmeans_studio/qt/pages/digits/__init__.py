"""The Digits page: labelled images, their centre images, confusion matrix, scores and PCA views."""
