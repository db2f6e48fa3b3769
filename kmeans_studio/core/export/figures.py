"""The matplotlib code of an exported run's figures (`cells.run_cells`).

Each figure is the code of one cell: it draws with the names the cells before it made
(``X``, ``initial_centers``, ``kmeans`` or ``mixture``, ``y`` for labelled data,
``pixels``/``palette``/``compressed`` for a photo) and leaves its figure in ``fig``.
A notebook shows it inline; a script saves it beside itself (`script.python_script`).
No text from a file reaches this code: it holds no value but the names above.
"""

from __future__ import annotations

#: The colours of k clusters (the same in every figure of a run).
COLOURS = '''\
k = len(initial_centers)
cmap = plt.get_cmap("tab10" if k <= 10 else "turbo", k)
'''

#: The notebook's figure of the EM loop: a panel per half-step from the run's start.
EM_STEPS = '''\
from sklearn.metrics import pairwise_distances_argmin

fig, axes = plt.subplots(2, 4, figsize=(14, 6.5), sharex=True, sharey=True)
centres, labels = initial_centers, None
for panel, ax in enumerate(axes.flat):
    if panel == 0:
        title = "Initial centres"
    elif panel % 2:  # E-step: every point joins its nearest centre
        labels = pairwise_distances_argmin(X, centres)
        title = f"Iteration {(panel + 1) // 2}: assign"
    else:  # M-step: every centre moves to the mean of its points
        centres = np.array([X[labels == j].mean(axis=0) if np.any(labels == j) else centres[j]
                            for j in range(k)])
        title = f"Iteration {panel // 2}: update"
    ax.scatter(X[:, 0], X[:, 1], s=6, c="lightgray" if labels is None else cmap(labels))
    ax.scatter(centres[:, 0], centres[:, 1], s=140, marker="X", c=cmap(np.arange(k)),
               edgecolors="black")
    ax.set_title(title)
fig.tight_layout()
'''

#: The clusters the run ends with, on the data's two axes (or its first two principal
#: components, as the studio draws wider data).
CLUSTERS = '''\
labels, centres = kmeans.labels_, kmeans.cluster_centers_
if X.shape[1] == 2:
    points, axis_names = X, ("x", "y")
else:  # more (or fewer) than two features: the first two principal components
    from sklearn.decomposition import PCA

    padded = lambda a: np.column_stack([a, np.zeros(len(a))]) if a.shape[1] == 1 else a
    pca = PCA(n_components=2).fit(padded(X))
    points, centres = pca.transform(padded(X)), pca.transform(padded(centres))
    axis_names = ("principal component 1", "principal component 2")
fig, ax = plt.subplots(figsize=(6.5, 5.5))
ax.scatter(points[:, 0], points[:, 1], s=8, c=cmap(labels))
ax.scatter(centres[:, 0], centres[:, 1], s=180, marker="X", c=cmap(np.arange(k)),
           edgecolors="black")
ax.set(xlabel=axis_names[0], ylabel=axis_names[1],
       title=f"{k} clusters after {kmeans.n_iter_} iterations, inertia {kmeans.inertia_:.6g}")
fig.tight_layout()
'''

#: A mixture's components on 2-D data: each point coloured by its likeliest one.
MIXTURE = '''\
labels = mixture.predict(X)
fig, ax = plt.subplots(figsize=(6.5, 5.5))
if X.shape[1] == 2:
    ax.scatter(X[:, 0], X[:, 1], s=8, c=cmap(labels))
    ax.scatter(mixture.means_[:, 0], mixture.means_[:, 1], s=180, marker="X",
               c=cmap(np.arange(k)), edgecolors="black")
else:
    ax.bar(np.arange(k) + 1, mixture.weights_, color=cmap(np.arange(k)))
    ax.set(xlabel="component", ylabel="weight")
ax.set_title(f"{k} components after {mixture.n_iter_} iterations")
fig.tight_layout()
'''

#: Labelled images: each centre drawn as an image, with the class it stands for.
CENTRE_IMAGES = '''\
side = int(round(np.sqrt(X.shape[1])))
shape = (side, side) if side * side == X.shape[1] else (1, X.shape[1])
columns = min(k, 5)
fig, axes = plt.subplots(-(-k // columns), columns, figsize=(1.7 * columns, 1.9 * -(-k // columns)),
                         squeeze=False)
for j, ax in enumerate(axes.flat):
    ax.axis("off")
    if j < k:
        ax.imshow(kmeans.cluster_centers_[j].reshape(shape), cmap="binary")
        ax.set_title(f"cluster {j + 1}: {classes[cluster_class[j]]}")
fig.suptitle(f"Each cluster's centre, and the class it is matched to ({matching})")
fig.tight_layout()
'''

#: Labelled images: the confusion matrix of the page's matching, with its accuracy.
CONFUSION = '''\
from sklearn.metrics import ConfusionMatrixDisplay

predicted = classes[cluster_class[kmeans.labels_]]
fig, ax = plt.subplots(figsize=(6.5, 5.5))
ConfusionMatrixDisplay.from_predictions(y, predicted, labels=classes, ax=ax, colorbar=False)
ax.set_title(f"Clusters matched ({matching}): accuracy {accuracy_score(y, predicted):.4f}")
fig.tight_layout()
'''

#: Labelled images: the learned and the true labels on the first two principal components.
PCA_LABELS = '''\
from sklearn.decomposition import PCA

points = PCA(n_components=2).fit_transform(X)
class_colours = plt.get_cmap("tab10" if len(classes) <= 10 else "turbo", len(classes))
fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), sharex=True, sharey=True)
for ax, shown, title in ((axes[0], cluster_class[kmeans.labels_], "Learned (matched) labels"),
                         (axes[1], rows, "True labels")):
    ax.scatter(points[:, 0], points[:, 1], s=6, c=class_colours(shown))
    ax.set_title(title)
fig.tight_layout()
'''

#: A photo before and after, and its palette.
PHOTO = '''\
fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
axes[0].imshow(pixels)
axes[0].set_title(f"Original: {len(X)} colours")
axes[1].imshow(np.asarray(compressed))
axes[1].set_title(f"{len(palette)} colours, PSNR {psnr:.2f} dB")
for ax in axes:
    ax.axis("off")
fig.tight_layout()
'''

PALETTE = '''\
width = min(len(palette), 16)
swatches = np.full((-(-len(palette) // width) * width, 3), 255, dtype=np.uint8)
swatches[:len(palette)] = palette
fig, ax = plt.subplots(figsize=(8, 0.6 * len(swatches) // width + 0.6))
ax.imshow(swatches.reshape(-1, width, 3), aspect="auto")
ax.set_title(f"The palette: {len(palette)} colours")
ax.axis("off")
fig.tight_layout()
'''
