SELECT 1 -- password is x
FROM t /* secret 'y' /* nested */ */ WHERE a